using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Gate;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Domain.Templates;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>
/// Policy 3.1's Standard changes: a template is approved once like a Normal change, publishes for twelve months, and makes
/// changes approved at once; an expired or retired template makes none, and the gate holds its changes to it.
/// </summary>
public sealed class ChangeTemplateTests
{
    private static readonly DateTime Now = Clock.Now;
    private readonly Team _team = new();
    private readonly Actor _approver = People.Person("approver", Role.ChangeApprover);
    private readonly Actor _security = People.Person("security", Role.SecurityReviewer);

    private Result<ChangeTemplate> Write(string name = "routine-patching", Dictionary<string, string>? answers = null, string? purpose = "Patch the OS monthly.",
        Actor? author = null) =>
        ChangeTemplate.Create(Guid.NewGuid(), name, Content(purpose, answers), author ?? _team.Requestor, Now);

    private static TemplateContent Content(string? purpose = "Patch the OS monthly.", Dictionary<string, string>? answers = null,
        string? title = "Monthly OS patching") =>
        new(title, null, [ServiceProfiles.Ordinary.Id], ["staging", "production"], purpose, "The web hosts.", "Rolling restarts; no downtime.",
            "Redeploy the previous image.", "Unit, integration and security suites.", answers ?? Answers.Low());

    private ChangeTemplate Published(ServiceProfile? service = null)
    {
        var template = Write().ShouldSucceed();
        template.Submit(_team.Requestor, Clock.Questionnaire, [service ?? ServiceProfiles.Ordinary], Now).ShouldSucceed();
        template.Decide(_approver, ApprovalDecision.Approve, "routine", Now).ShouldSucceed();
        if (service?.NeedsSecuritySignOff == true)
            template.Decide(_security, ApprovalDecision.Approve, "ok", Now).ShouldSucceed();
        return template;
    }

    private Result<ChangeRequest> MakeChange(ChangeTemplate template, DateTime now, FreezeCalendar? freezes = null) =>
        ChangeRequest.FromTemplate(Guid.NewGuid(), 42, template, now.AddHours(1), now.AddHours(2), [new CommitRef("0123456789abcdef", null)], [], null,
            _team.Requestor, [ServiceProfiles.Ordinary], Clock.Questionnaire, freezes ?? FreezeCalendar.None, now);

    [Fact]
    public void A_template_has_a_name_pipelines_can_type_services_and_environments()
    {
        var refused = ChangeTemplate.Create(Guid.NewGuid(), "Routine Patching",
                new TemplateContent(" ", null, [], [], null, null, null, null, null, Answers.Low()), _team.Requestor, Now)
            .ShouldFailWith<ValidationFailed, ChangeTemplate>();
        refused.Errors.Keys.ShouldBe(["name", "title", "services", "environments"], ignoreOrder: true);
        Write(author: People.ServiceAccount("deploy", Role.Requestor)).ShouldFailWith<RoleRequired, ChangeTemplate>();
        Write().ShouldSucceed().State.ShouldBe(TemplateState.Draft);
    }

    [Fact]
    public void Only_a_documented_low_risk_template_is_submitted_and_only_by_its_author()
    {
        Write(purpose: null).ShouldSucceed().Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], Now)
            .ShouldFailWith<MissingRequiredFields>().Fields.ShouldBe(["purpose"]);
        var risky = Write(answers: Answers.High()).ShouldSucceed();
        risky.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], Now).ShouldFailWith<TemplateRiskNotLow>().Type.ShouldBe("template-risk-not-low");
        Write().ShouldSucceed().Submit(People.Person("other", Role.Requestor), Clock.Questionnaire, [ServiceProfiles.Ordinary], Now)
            .ShouldFailWith<NotTheTemplateAuthor>();
    }

    [Fact]
    public void Its_author_revises_it_until_it_is_approved_and_a_rejected_one_is_a_draft_again_for_a_new_round()
    {
        var template = Write(purpose: null).ShouldSucceed();
        template.Revise(People.Person("other", Role.Requestor), Content(), Now).ShouldFailWith<NotTheTemplateAuthor>();
        template.Revise(_team.Requestor, Content(title: " "), Now).ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["title"]);
        template.Purpose.ShouldBeNull("a refused revision changes nothing");
        template.Revise(_team.Requestor, Content(), Now).ShouldSucceed();
        template.Purpose.ShouldBe("Patch the OS monthly.");

        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], Now).ShouldSucceed();
        template.Revise(_team.Requestor, Content(), Now).ShouldFailWith<TemplateInvalidTransition>().Detail.ShouldContain("be revised");
        template.Decide(_approver, ApprovalDecision.Reject, "Say which hosts.", Now).ShouldSucceed();

        template.Revise(_team.Requestor, Content(title: "Monthly OS patching of the web hosts"), Now).ShouldSucceed();
        template.State.ShouldBe(TemplateState.Draft);
        template.Title.ShouldBe("Monthly OS patching of the web hosts");
        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], Now).ShouldSucceed();
        template.Round.ShouldBe(2);
        template.Decide(_approver, ApprovalDecision.Approve, "Clear now.", Now).ShouldSucceed();
        template.StatusAt(Now).ShouldBe(TemplateStatus.Published, "the first round's rejection does not count in the second");
        template.Revise(_team.Requestor, Content(), Now).ShouldFailWith<TemplateInvalidTransition>();

        // Once approved, never rewritten: not even after its re-approval is rejected. Its changes were made from what was approved.
        var expired = Now.AddMonths(ChangeTemplate.ValidityMonths);
        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], expired).ShouldSucceed();
        template.Decide(_approver, ApprovalDecision.Reject, "Retire it instead.", expired).ShouldSucceed();
        template.Revise(_team.Requestor, Content(), expired).ShouldFailWith<TemplateInvalidTransition>();
    }

    [Fact]
    public void It_is_approved_as_a_normal_change_and_published_for_twelve_months()
    {
        var template = Write().ShouldSucceed();
        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Regulated], Now).ShouldSucceed();
        template.RequiredApprovals.ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]);

        template.Decide(_team.Requestor, ApprovalDecision.Approve, null, Now).ShouldFailWith<SelfSignOffForbidden>();
        template.Decide(People.Person("cab", Role.CabMember), ApprovalDecision.Approve, null, Now).ShouldFailWith<SignOffRoleRequired>();
        template.Decide(_approver, ApprovalDecision.Approve, null, Now).ShouldSucceed();
        template.State.ShouldBe(TemplateState.Submitted);
        template.Decide(_security, ApprovalDecision.Approve, null, Now.AddHours(1)).ShouldSucceed();

        template.State.ShouldBe(TemplateState.Published);
        template.ApprovedAt.ShouldBe(Now.AddHours(1));
        template.ExpiresAt.ShouldBe(Now.AddHours(1).AddMonths(12));
        template.Assignments().ShouldBe([_approver.Id, _security.Id]);
    }

    [Fact]
    public void Its_changes_are_approved_at_once_and_carry_its_documentation()
    {
        var template = Published();

        var change = MakeChange(template, Now).ShouldSucceed();

        change.Type.ShouldBe(ChangeType.Standard);
        change.State.ShouldBe(ChangeState.Approved);
        change.TemplateId.ShouldBe(template.Id);
        change.Title.ShouldBe(template.Title);
        change.RollbackPlan.ShouldBe(template.RollbackPlan);
        change.Approvals.Required.ShouldBeEmpty();
        change.Risk.Overall.ShouldBe(RiskLevel.Low);
        change.PendingEvents[^1].Detail.ShouldNotBeNull().ShouldContain("from template routine-patching");
        change.CanEdit(_team.Requestor).ShouldFailWith<StandardChangeNotEditable>();
    }

    [Fact]
    public void An_expired_or_retired_template_makes_no_change_and_a_freeze_refuses_one()
    {
        var template = Published();
        var expiry = template.ExpiresAt!.Value;
        MakeChange(template, expiry.AddSeconds(-1)).ShouldSucceed();
        MakeChange(template, expiry).ShouldFailWith<TemplateExpired, ChangeRequest>().Type.ShouldBe("template-expired");
        template.StatusAt(expiry).ShouldBe(TemplateStatus.Expired);

        var freeze = FreezeWindow.Create(Guid.NewGuid(), "Quarter close", Now, Now.AddDays(1), [], null, People.Person("admin", Role.Admin), Now)
            .ShouldSucceed();
        MakeChange(template, Now, new FreezeCalendar([freeze])).ShouldFailWith<InsideFreeze, ChangeRequest>();

        template.Retire(_team.Requestor, "", Now).ShouldFailWith<ValidationFailed>();
        template.Retire(People.Person("someone", Role.Requestor), "no", Now).ShouldFailWith<RoleRequired>();
        template.Retire(_approver, "Replaced by automated patching.", Now).ShouldSucceed();
        MakeChange(template, Now).ShouldFailWith<TemplateNotPublished, ChangeRequest>().Type.ShouldBe("template-not-published");
    }

    [Fact]
    public void An_expired_template_is_approved_again_in_a_new_round()
    {
        var template = Published();
        var expiry = template.ExpiresAt!.Value;
        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], expiry.AddDays(-1)).ShouldFailWith<TemplateInvalidTransition>();

        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], expiry).ShouldSucceed();
        template.Round.ShouldBe(2);
        // The first round's approver decides again: a decision counts in its own round only.
        template.Decide(_approver, ApprovalDecision.Approve, "still routine", expiry.AddHours(1)).ShouldSucceed();
        template.State.ShouldBe(TemplateState.Published);
        template.ExpiresAt.ShouldBe(expiry.AddHours(1).AddMonths(12));
        template.Decisions.Select(d => d.Round).ShouldBe([1, 2]);
    }

    [Fact]
    public void An_admin_hands_an_expired_template_to_another_requestor_who_has_it_approved_again_but_not_by_its_former_author()
    {
        var template = Published();
        var expiry = template.ExpiresAt!.Value;
        var admin = People.Person("admin", Role.Admin);
        // The successor is also a Change Approver: they may not approve what they now own, nor may the former author.
        var successor = People.Person("successor", Role.Requestor, Role.ChangeApprover);

        template.HandOver(admin, successor, expiry).ShouldSucceed();

        template.AuthorId.ShouldBe(successor.Id);
        template.FormerAuthors.ShouldBe([_team.Requestor.Id]);
        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Ordinary], expiry).ShouldFailWith<NotTheTemplateAuthor>();
        template.Submit(successor, Clock.Questionnaire, [ServiceProfiles.Ordinary], expiry).ShouldSucceed();
        template.Decide(successor, ApprovalDecision.Approve, "mine", expiry).ShouldFailWith<SelfSignOffForbidden>();
        var formerAuthorNowApprover = _team.Requestor with { Roles = new HashSet<Role> { Role.Requestor, Role.ChangeApprover } };
        template.Decide(formerAuthorNowApprover, ApprovalDecision.Approve, "I wrote it", expiry).ShouldFailWith<SelfSignOffForbidden>();
        template.Decide(_approver, ApprovalDecision.Approve, "still routine", expiry).ShouldSucceed();
        template.State.ShouldBe(TemplateState.Published);
    }

    [Fact]
    public void Only_its_author_or_an_admin_hands_a_template_over_to_a_requestor_who_has_not_decided_on_its_round()
    {
        var template = Write().ShouldSucceed();
        var successor = People.Person("successor", Role.Requestor);
        var admin = People.Person("admin", Role.Admin);

        template.HandOver(_approver, successor, Now).ShouldFailWith<NotTheTemplateAuthorNorAdmin>();
        template.HandOver(admin, People.Person("implementer", Role.Implementer), Now).ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["author"]);
        template.HandOver(admin, People.ServiceAccount("deploy", Role.Requestor), Now).ShouldFailWith<ValidationFailed>();
        template.HandOver(admin, _team.Requestor, Now).ShouldFailWith<ValidationFailed>().Errors["author"][0].ShouldContain("already");
        template.AuthorId.ShouldBe(_team.Requestor.Id, "nothing changed on a refusal");
        template.FormerAuthors.ShouldBeEmpty();

        // An approver of the round under way cannot become its author: their approval would be the author's.
        template.Submit(_team.Requestor, Clock.Questionnaire, [ServiceProfiles.Regulated], Now).ShouldSucceed();
        var approverAndRequestor = People.Person("both", Role.Requestor, Role.ChangeApprover);
        template.Decide(approverAndRequestor, ApprovalDecision.Approve, "ok", Now).ShouldSucceed();
        template.HandOver(_team.Requestor, approverAndRequestor, Now).ShouldFailWith<ValidationFailed>().Errors["author"][0].ShouldContain("policy 3.7");
        template.HandOver(_team.Requestor, successor, Now).ShouldSucceed(); // its author hands it over themself

        template.Retire(admin, "Superseded.", Now).ShouldSucceed();
        template.HandOver(admin, People.Person("third", Role.Requestor), Now).ShouldFailWith<TemplateInvalidTransition>();
    }

    [Fact]
    public void The_gate_holds_a_standard_change_to_its_template_and_its_environments()
    {
        var template = Published();
        var change = MakeChange(template, Now).ShouldSucceed();
        var service = Service.Create(ServiceProfiles.Ordinary.Id, "web", null, false, false,
            [new ServiceEnvironment("qa", false), new ServiceEnvironment("production", true)], Now).ShouldSucceed();
        GateSnapshot Snapshot(string environment, DateTime now) => new(new GateQuestion(change.DisplayNumber, "web", environment, "0123456789abcdef", null),
            change, service, service.Environments.Single(e => e.Name == environment), [], [], FreezeCalendar.None, ExceptionRegister.None,
            People.ServiceAccount("deploy", Role.Implementer), new HashSet<string> { Scopes.Gate }, GatePolicy.Default, now, template);
        IEnumerable<string> Codes(string environment, DateTime now) => GateConditions.Evaluate(Snapshot(environment, now)).Select(r => r.Code);

        Codes("qa", Now.AddHours(1)).ShouldBe([TemplateMustBeInForce.EnvironmentNotInTemplate]);
        Codes("production", Now.AddHours(1)).ShouldNotContain(TemplateExpired.Code);
        Codes("production", template.ExpiresAt!.Value).ShouldContain(TemplateExpired.Code);
        (Snapshot("production", Now.AddHours(1)) with { Template = null }).Change.ShouldNotBeNull();
        GateConditions.Evaluate(Snapshot("production", Now.AddHours(1)) with { Template = null }).Select(r => r.Code)
            .ShouldContain(TemplateNotPublished.Code);
    }
}
