using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class SeparationOfDutiesTests
{
    private static readonly DateTime Now = Clock.Now;

    private static Result Approve(ChangeRequest change, Actor approver) =>
        change.Decide(approver, ApprovalDecision.Approve, "ok", Clock.Questionnaire, Now);

    [Fact]
    public void Approve_by_requestor_is_refused()
    {
        var team = new Team { Requestor = People.Person("lead", Role.Requestor, Role.ChangeApprover) };
        var change = team.Submitted();

        var error = Approve(change, team.Requestor).ShouldFailWith<SelfApprovalForbidden>();

        error.Kind.ShouldBe(ErrorKind.Forbidden);
        error.Type.ShouldBe("self-approval-forbidden");
        change.State.ShouldBe(ChangeState.Submitted);
        change.Approvals.Decisions.ShouldBeEmpty();
    }

    [Fact]
    public void Reject_by_requestor_is_refused_too()
    {
        var team = new Team { Requestor = People.Person("lead", Role.Requestor, Role.ChangeApprover) };
        var change = team.Submitted();

        change.Decide(team.Requestor, ApprovalDecision.Reject, null, Clock.Questionnaire, Now).ShouldFailWith<SelfApprovalForbidden>();
        change.State.ShouldBe(ChangeState.Submitted);
    }

    [Fact]
    public void Approve_by_the_named_implementer_is_refused()
    {
        var team = new Team { Implementer = People.Person("devops", Role.Implementer, Role.ChangeApprover) };
        var change = team.Submitted();

        Approve(change, team.Implementer).ShouldFailWith<ImplementerApprovalForbidden>().Type.ShouldBe("implementer-approval-forbidden");
        change.State.ShouldBe(ChangeState.Submitted);
    }

    [Theory]
    [InlineData("dev@example.test")]
    [InlineData("Dev@Example.TEST")]
    public void Approve_by_a_commit_author_is_refused_matching_the_email_case_insensitively(string authorEmail)
    {
        var team = new Team();
        var author = new Actor(Guid.NewGuid(), "DEV@example.test", false, new HashSet<Role> { Role.ChangeApprover });
        var change = team.Submitted(with: c => c with
        {
            Commits = [new CommitRef("0123456789abcdef", "someone@example.test"), new CommitRef("abcdef0", authorEmail)],
        });

        var error = Approve(change, author).ShouldFailWith<CommitAuthorApprovalForbidden>();

        error.Commit.ShouldBe("abcdef0");
        error.Type.ShouldBe("commit-author-approval-forbidden");
    }

    [Fact]
    public void Commits_without_an_author_email_refuse_nobody()
    {
        var team = new Team();
        var change = team.Submitted(with: c => c with { Commits = [new CommitRef("abcdef0", null), new CommitRef("abcdef1", "")] });
        var approver = new Actor(Guid.NewGuid(), "", false, new HashSet<Role> { Role.ChangeApprover });

        Approve(change, approver).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public void Approve_by_a_service_account_is_refused_whatever_its_roles()
    {
        var team = new Team();
        var change = team.Submitted();
        var pipeline = People.ServiceAccount("pipeline", Role.ChangeApprover, Role.CabMember, Role.SecurityOfficer);

        Approve(change, pipeline).ShouldFailWith<ServiceAccountCannotApprove>().Type.ShouldBe("service-account-cannot-approve");
        change.Approvals.Decisions.ShouldBeEmpty();
    }

    [Fact]
    public void Approve_by_someone_without_an_approving_role_is_refused()
    {
        var team = new Team();
        var change = team.Submitted(ServiceProfiles.Regulated);

        var error = Approve(change, team.Auditor).ShouldFailWith<ApproverRoleRequired>();

        error.Roles.ShouldBe([nameof(Role.ChangeApprover), "SecurityReviewer or SecurityOfficer"]);
        error.Kind.ShouldBe(ErrorKind.Forbidden);
    }

    [Fact]
    public void Approve_by_a_CAB_member_when_no_CAB_approval_is_required_is_refused()
    {
        var team = new Team();
        var change = team.Submitted();

        Approve(change, team.Cab).ShouldFailWith<ApproverRoleRequired>().Roles.ShouldBe([nameof(Role.ChangeApprover)]);
    }

    [Fact]
    public void Approve_by_the_same_person_twice_is_refused_as_AlreadyApproved()
    {
        var team = new Team();
        var change = team.Submitted(ServiceProfiles.Regulated);
        Approve(change, team.Approver).ShouldSucceed();
        var version = change.Version;

        Approve(change, team.Approver).ShouldFailWith<AlreadyApproved>().Type.ShouldBe("already-approved");

        change.Approvals.Decisions.Count.ShouldBe(1);
        change.Version.ShouldBe(version);
    }

    [Fact]
    public void Reject_after_own_approval_is_refused_as_AlreadyApproved()
    {
        var team = new Team();
        var change = team.Submitted(ServiceProfiles.Regulated);
        Approve(change, team.Approver).ShouldSucceed();

        change.Decide(team.Approver, ApprovalDecision.Reject, null, Clock.Questionnaire, Now).ShouldFailWith<AlreadyApproved>();
        change.State.ShouldBe(ChangeState.Submitted);
    }

    [Fact]
    public void A_person_holding_Approver_and_Security_roles_counts_once()
    {
        var team = new Team();
        var both = People.Person("both", Role.ChangeApprover, Role.SecurityReviewer);
        var change = team.Submitted(ServiceProfiles.Regulated);
        change.Approvals.Required.ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]);

        Approve(change, both).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Submitted);
        change.Approvals.Outstanding().Count.ShouldBe(1);
        change.ApprovedAt.ShouldBeNull();
    }

    [Fact]
    public void A_second_Approver_completes_it_because_matching_moves_the_dual_role_person_to_the_Security_slot()
    {
        var team = new Team();
        var both = People.Person("both", Role.ChangeApprover, Role.SecurityReviewer);
        var change = team.Submitted(ServiceProfiles.Regulated);
        Approve(change, both).ShouldSucceed();
        change.Approvals.SlotAssignments().ShouldBe([both.Id, null]);
        change.Approvals.Outstanding().ShouldBe([ApprovalSlot.SecurityTeam]);

        Approve(change, team.Approver).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Approved);
        change.Approvals.Outstanding().ShouldBeEmpty();
        change.Approvals.SlotAssignments().ShouldBe([team.Approver.Id, both.Id]);
    }

    [Fact]
    public void An_approval_that_fills_nothing_new_is_ApprovalNotRequired()
    {
        var team = new Team();
        var change = team.Submitted(ServiceProfiles.Regulated);
        Approve(change, team.Approver).ShouldSucceed();
        var version = change.Version;

        var error = Approve(change, team.SecondApprover).ShouldFailWith<ApprovalNotRequired>();

        error.Outstanding.ShouldBe(["Security Team sign-off"]);
        error.Type.ShouldBe("approval-not-required");
        change.Approvals.Decisions.Count.ShouldBe(1);
        change.Version.ShouldBe(version);
        change.State.ShouldBe(ChangeState.Submitted);
    }

    [Fact]
    public void A_rejection_is_accepted_even_when_the_rejecter_fills_no_new_slot()
    {
        var team = new Team();
        var change = team.Submitted(ServiceProfiles.Regulated);
        Approve(change, team.Approver).ShouldSucceed();

        change.Decide(team.SecondApprover, ApprovalDecision.Reject, "No", Clock.Questionnaire, Now).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Rejected);
    }

    [Fact]
    public void High_risk_needs_two_distinct_people_even_if_one_holds_Approver_and_CAB_roles()
    {
        var team = new Team();
        var both = People.Person("both", Role.ChangeApprover, Role.CabMember);
        var change = team.Submitted(with: c => c with { RiskAnswers = Answers.High() });

        Approve(change, both).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Submitted);

        Approve(change, team.Cab).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public void An_approver_who_approved_cannot_Start_the_change()
    {
        var team = new Team();
        var approverImplementer = People.Person("both", Role.ChangeApprover, Role.Implementer);
        var change = team.Submitted(with: c => c with { ImplementerId = null });
        Approve(change, approverImplementer).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Approved);

        change.Start(approverImplementer, Now).ShouldFailWith<ImplementerApprovalForbidden>();

        change.State.ShouldBe(ChangeState.Approved);
        change.ImplementerId.ShouldBeNull();
    }

    [Fact]
    public void Start_without_the_Implementer_role_is_refused()
    {
        var team = new Team();
        var change = team.InState(ChangeState.Approved);

        change.Start(team.Requestor, Now).ShouldFailWith<RoleRequired>().Roles.ShouldBe([nameof(Role.Implementer)]);
        change.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public void Start_by_an_implementer_other_than_the_named_one_is_refused()
    {
        var team = new Team();
        var change = team.InState(ChangeState.Approved);

        change.Start(People.Person("other", Role.Implementer), Now).ShouldFailWith<NotTheImplementer>();
        change.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public void Start_with_no_named_implementer_makes_the_starter_the_implementer()
    {
        var team = new Team();
        var change = team.Submitted(with: c => c with { ImplementerId = null });
        team.ApproveAll(change);
        var pipeline = People.ServiceAccount("pipeline", Role.Implementer);

        change.Start(pipeline, Now).ShouldSucceed();

        change.ImplementerId.ShouldBe(pipeline.Id);
        change.Complete(team.Implementer, Now).ShouldFailWith<NotTheImplementer>();
        change.Complete(pipeline, Now).ShouldSucceed();
    }

    [Fact]
    public void Approvals_record_the_slots_the_approver_could_fill_and_the_content_hash()
    {
        var team = new Team();
        var both = People.Person("both", Role.ChangeApprover, Role.SecurityOfficer);
        var change = team.Submitted(ServiceProfiles.Regulated);

        Approve(change, both).ShouldSucceed();

        var approval = change.Approvals.Decisions.ShouldHaveSingleItem();
        approval.ApproverId.ShouldBe(both.Id);
        approval.ChangeRequestId.ShouldBe(change.Id);
        approval.FillableSlots.ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]);
        approval.ContentHash.ShouldBe(change.ContentHash);
        approval.Comment.ShouldBe("ok");
        approval.At.ShouldBe(Now);
        approval.IsActive.ShouldBeTrue();
    }
}
