using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class ApprovalPolicyTests
{
    private const ApprovalSlot Approver = ApprovalSlot.ChangeApprover;
    private const ApprovalSlot Cab = ApprovalSlot.CabMember;
    private const ApprovalSlot Security = ApprovalSlot.SecurityTeam;

    public static TheoryData<ChangeType, RiskLevel, bool, ApprovalSlot[]> Table => new()
    {
        { ChangeType.Normal, RiskLevel.Low, false, [Approver] },
        { ChangeType.Normal, RiskLevel.Medium, false, [Approver] },
        { ChangeType.Normal, RiskLevel.High, false, [Approver, Cab] },
        { ChangeType.Normal, RiskLevel.Low, true, [Approver, Security] },
        { ChangeType.Normal, RiskLevel.Medium, true, [Approver, Security] },
        { ChangeType.Normal, RiskLevel.High, true, [Approver, Cab, Security] },
        { ChangeType.Emergency, RiskLevel.Low, false, [Approver] },
        { ChangeType.Emergency, RiskLevel.High, false, [Approver] },
        { ChangeType.Emergency, RiskLevel.Medium, true, [Approver, Security] },
        { ChangeType.Emergency, RiskLevel.High, true, [Approver, Security] },
        { ChangeType.Standard, RiskLevel.Low, false, [] },
        { ChangeType.Standard, RiskLevel.High, true, [] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void RequirementsFor_follows_the_approval_requirements_table(ChangeType type, RiskLevel risk, bool regulated, ApprovalSlot[] expected) =>
        ApprovalPolicy.RequirementsFor(type, risk, regulated).ShouldBe(expected);

    public static TheoryData<string, ApprovalSlot[]> SubmittedCases => new()
    {
        { "low", [Approver] },
        { "medium", [Approver] },
        { "high", [Approver, Cab] },
        { "regulated", [Approver, Security] },
        { "security-control", [Approver, Security] },
        { "regulated-high", [Approver, Cab, Security] },
    };

    [Theory]
    [MemberData(nameof(SubmittedCases))]
    public void Submit_fixes_the_required_approvals_from_risk_and_services(string shape, ApprovalSlot[] expected)
    {
        var team = new Team();
        var (service, answers) = shape switch
        {
            "low" => (ServiceProfiles.Ordinary, Answers.Low()),
            "medium" => (ServiceProfiles.Ordinary, Answers.Medium()),
            "high" => (ServiceProfiles.Ordinary, Answers.High()),
            "regulated" => (ServiceProfiles.Regulated, Answers.Low()),
            "security-control" => (ServiceProfiles.SecurityControl, Answers.Low()),
            _ => (ServiceProfiles.Regulated, Answers.With(("blastRadius", "all"))),
        };

        var change = team.Submitted(service, c => c with { RiskAnswers = answers });

        change.Approvals.Required.ShouldBe(expected);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_CR_touching_regulated_data_or_a_security_control_is_at_least_Medium_on_security(bool regulated, bool securityControl)
    {
        var team = new Team();
        var service = new ServiceProfile(Guid.NewGuid(), "vault", regulated, securityControl);

        var change = team.Draft(service: service);

        change.Risk.TouchesRegulatedDataOrSecurityControl.ShouldBeTrue();
        change.Risk.Security.ShouldBe(RiskLevel.Medium);
        change.Risk.Overall.ShouldBe(RiskLevel.Medium);
        change.Risk.Availability.ShouldBe(RiskLevel.Low);
    }

    [Fact]
    public void A_regulated_CR_with_high_security_answers_stays_High()
    {
        var team = new Team();

        var change = team.Draft(service: ServiceProfiles.Regulated, with: c => c with { RiskAnswers = Answers.High() });

        change.Risk.Security.ShouldBe(RiskLevel.High);
    }

    [Fact]
    public void Touching_any_one_flagged_service_among_several_raises_the_requirements()
    {
        var team = new Team();
        var content = team.Content() with { Services = [ServiceProfiles.Ordinary.Id, ServiceProfiles.Regulated.Id] };
        var change = ChangeRequest.Create(Guid.NewGuid(), 2, ChangeType.Normal, content, team.Requestor,
            [ServiceProfiles.Ordinary, ServiceProfiles.Regulated], Clock.Questionnaire, Clock.Now).ShouldSucceed();

        change.Submit(team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Clock.Now).ShouldSucceed();

        change.Approvals.Required.ShouldBe([Approver, Security]);
    }

    [Fact]
    public void A_change_on_an_ordinary_service_is_not_raised()
    {
        var change = new Team().Draft();

        change.Risk.TouchesRegulatedDataOrSecurityControl.ShouldBeFalse();
        change.Risk.Security.ShouldBe(RiskLevel.Low);
    }

    [Theory]
    [InlineData(new[] { Role.ChangeApprover }, new[] { Approver })]
    [InlineData(new[] { Role.CabMember }, new[] { Cab })]
    [InlineData(new[] { Role.SecurityReviewer }, new[] { Security })]
    [InlineData(new[] { Role.SecurityOfficer }, new[] { Security })]
    [InlineData(new[] { Role.SecurityReviewer, Role.SecurityOfficer }, new[] { Security })]
    [InlineData(new[] { Role.ChangeApprover, Role.CabMember, Role.SecurityReviewer }, new[] { Approver, Cab, Security })]
    [InlineData(new[] { Role.Requestor, Role.Implementer, Role.Auditor, Role.Admin, Role.HeadOfEngineering }, new ApprovalSlot[0])]
    public void FillableBy_maps_roles_to_the_slots_they_can_fill(Role[] roles, ApprovalSlot[] expected) =>
        ApprovalSlots.FillableBy(roles.ToHashSet()).ShouldBe(expected);

    [Fact]
    public void Every_slot_has_a_description()
    {
        ApprovalSlots.Describe(Approver).ShouldBe("a Change Approver");
        ApprovalSlots.Describe(Cab).ShouldBe("a CAB member");
        ApprovalSlots.Describe(Security).ShouldBe("Security Team sign-off");
    }
}
