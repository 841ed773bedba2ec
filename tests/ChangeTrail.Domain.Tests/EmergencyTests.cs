using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class EmergencyTests
{
    private static readonly DateTime Now = Clock.Now;
    private static readonly DateTime Due = Clock.Now.AddHours(24);
    private readonly Team _team = new();

    private static Result Approve(ChangeRequest change, Actor approver, DateTime? at = null) =>
        change.Decide(approver, ApprovalDecision.Approve, "Retrospectively ok", Clock.Questionnaire, at ?? Now);

    /// <summary>An emergency with only what it needs to start: title, justification and services.</summary>
    private ChangeRequest Undocumented() => _team.Draft(ChangeType.Emergency, with: c =>
        new ChangeContent(c.Title, null, null, null, null, null, null, null, null, c.Services, new Dictionary<string, string>(),
            c.ImplementerId, [], [], c.EmergencyJustification, []));

    [Fact]
    public void Start_of_an_emergency_draft_goes_straight_to_Implementing_with_documentation_due_24_hours_later()
    {
        var change = _team.Draft(ChangeType.Emergency);

        change.Start(_team.Implementer, Now).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Implementing);
        change.ImplementationStartedAt.ShouldBe(Now);
        change.DocumentationDueAt.ShouldBe(Due);
        change.SubmittedAt.ShouldBeNull();
        change.ApprovedAt.ShouldBeNull();
        change.Approvals.Required.ShouldBe([ApprovalSlot.ChangeApprover]);
        change.PendingEvents[^1].Action.ShouldBe("started");
        change.PendingEvents[^1].Detail.ShouldBe(change.EmergencyJustification);
    }

    [Fact]
    public void Start_of_an_emergency_without_a_justification_is_refused()
    {
        var change = _team.Draft(ChangeType.Emergency, with: c => c with { EmergencyJustification = "  " });

        change.Start(_team.Implementer, Now).ShouldFailWith<MissingRequiredFields>().Fields.ShouldBe(["emergencyJustification"]);

        change.State.ShouldBe(ChangeState.Draft);
        change.DocumentationDueAt.ShouldBeNull();
        change.Version.ShouldBe(1);
    }

    [Fact]
    public void Start_of_an_emergency_without_services_names_them_too()
    {
        var change = _team.Draft(ChangeType.Emergency, with: c => c with { EmergencyJustification = null, Services = [] });

        change.Start(_team.Implementer, Now).ShouldFailWith<MissingRequiredFields>()
            .Fields.ShouldBe(["emergencyJustification", "services"]);
    }

    [Fact]
    public void Start_of_an_emergency_needs_no_other_documentation()
    {
        var change = Undocumented();

        change.Start(_team.Implementer, Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implementing);
    }

    [Fact]
    public void Start_of_an_emergency_by_the_requestor_holding_the_Implementer_role_is_allowed()
    {
        var team = new Team { Requestor = People.Person("oncall", Role.Requestor, Role.Implementer) };
        var change = team.Draft(ChangeType.Emergency, with: c => c with { ImplementerId = null });

        change.Start(team.Requestor, Now).ShouldSucceed();

        change.ImplementerId.ShouldBe(team.Requestor.Id);
    }

    [Fact]
    public void An_emergency_touching_regulated_data_needs_Approver_and_Security_but_no_CAB_approval()
    {
        var change = _team.Draft(ChangeType.Emergency, ServiceProfiles.Regulated, c => c with { RiskAnswers = Answers.High() });

        change.Start(_team.Implementer, Now).ShouldSucceed();

        change.Approvals.Required.ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]);
    }

    [Fact]
    public void Retrospective_approval_while_Implementing_requires_complete_documentation()
    {
        var change = Undocumented();
        change.Start(_team.Implementer, Now).ShouldSucceed();

        var error = Approve(change, _team.Approver).ShouldFailWith<MissingRequiredFields>();

        error.Fields.ShouldContain("rollbackPlan");
        error.Fields.ShouldContain("testResults");
        error.Fields.ShouldContain("riskAnswers.accessControl");
        change.Approvals.Decisions.ShouldBeEmpty();
        change.ApprovedAt.ShouldBeNull();
    }

    [Fact]
    public void Retrospective_approval_of_a_documented_emergency_completes_it_and_it_stays_Implementing()
    {
        var change = Undocumented();
        change.Start(_team.Implementer, Now).ShouldSucceed();
        change.Edit(_team.Requestor, ChangeType.Emergency, _team.Content(type: ChangeType.Emergency), [ServiceProfiles.Ordinary],
            Clock.Questionnaire, Now.AddHours(1)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implementing);

        Approve(change, _team.Approver, Now.AddHours(2)).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Implementing);
        change.ApprovedAt.ShouldBe(Now.AddHours(2));
        change.Approvals.Outstanding().ShouldBeEmpty();
        change.PendingEvents.Select(e => e.Action).ShouldContain("approval-complete");
    }

    [Fact]
    public void A_further_retrospective_approval_once_all_are_given_is_ApprovalNotRequired()
    {
        var change = _team.InState(ChangeState.Implementing, ChangeType.Emergency);
        Approve(change, _team.Approver).ShouldSucceed();

        Approve(change, _team.SecondApprover).ShouldFailWith<ApprovalNotRequired>().Outstanding.ShouldBeEmpty();
    }

    [Fact]
    public void The_implementer_who_started_an_emergency_cannot_approve_it()
    {
        var team = new Team { Implementer = People.Person("oncall", Role.Implementer, Role.ChangeApprover) };
        var change = team.Draft(ChangeType.Emergency, with: c => c with { ImplementerId = null });
        change.Start(team.Implementer, Now).ShouldSucceed();

        Approve(change, team.Implementer).ShouldFailWith<ImplementerApprovalForbidden>();
    }

    [Fact]
    public void Edit_of_an_emergency_under_way_cannot_let_the_implementer_who_started_it_approve_it()
    {
        // The edit sends the content the requestor wrote at create, which named no implementer.
        var team = new Team { Implementer = People.Person("oncall", Role.Implementer, Role.ChangeApprover) };
        var change = team.Draft(ChangeType.Emergency, with: c => c with { ImplementerId = null });
        change.Start(team.Implementer, Now).ShouldSucceed();

        _ = change.Edit(team.Requestor, ChangeType.Emergency, change.Content with { ImplementerId = null, Purpose = "Restore checkout." },
            [ServiceProfiles.Ordinary], Clock.Questionnaire, Now.AddHours(1));

        Approve(change, team.Implementer).ShouldFailWith<ImplementerApprovalForbidden>();
        change.Complete(team.Implementer, Now.AddHours(2)).ShouldSucceed();
    }

    [Fact]
    public void Edit_of_an_emergency_under_way_keeps_its_state_and_voids_its_approvals()
    {
        var change = _team.InState(ChangeState.Implemented, ChangeType.Emergency);
        Approve(change, _team.Approver).ShouldSucceed();
        var dueAt = change.DocumentationDueAt;

        change.Edit(_team.Requestor, ChangeType.Emergency, change.Content with { Scope = "Checkout only." }, [ServiceProfiles.Ordinary],
            Clock.Questionnaire, Now.AddHours(3)).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Implemented);
        change.ApprovedAt.ShouldBeNull();
        change.Approvals.Outstanding().ShouldBe([ApprovalSlot.ChangeApprover]);
        change.Approvals.Decisions.ShouldHaveSingleItem().VoidedAt.ShouldBe(Now.AddHours(3));
        change.DocumentationDueAt.ShouldBe(dueAt);
    }

    [Fact]
    public void Documentation_is_overdue_after_24_hours_when_undocumented()
    {
        var change = Undocumented();
        change.Start(_team.Implementer, Now).ShouldSucceed();

        change.IsDocumentationOverdue(Now.AddHours(23)).ShouldBeFalse();
        change.IsDocumentationOverdue(Due).ShouldBeFalse();
        change.IsDocumentationOverdue(Due.AddSeconds(1)).ShouldBeTrue();
    }

    [Fact]
    public void Documentation_is_overdue_after_24_hours_when_documented_but_unapproved()
    {
        var change = _team.InState(ChangeState.Implementing, ChangeType.Emergency);

        change.IsDocumentationOverdue(Due.AddMinutes(1)).ShouldBeTrue();
    }

    [Fact]
    public void Documentation_is_not_overdue_when_documented_and_approved()
    {
        var change = _team.InState(ChangeState.Implementing, ChangeType.Emergency);
        Approve(change, _team.Approver, Now.AddHours(1)).ShouldSucceed();

        change.IsDocumentationOverdue(Due.AddDays(3)).ShouldBeFalse();
    }

    [Fact]
    public void A_normal_change_is_never_documentation_overdue()
    {
        var change = _team.InState(ChangeState.Implementing);

        change.IsDocumentationOverdue(Now.AddDays(30)).ShouldBeFalse();
    }

    [Fact]
    public void A_closed_emergency_is_not_overdue()
    {
        var change = _team.InState(ChangeState.Closed, ChangeType.Emergency);

        change.IsDocumentationOverdue(Due.AddDays(1)).ShouldBeFalse();
    }

    [Fact]
    public void Review_by_an_uninvolved_CAB_member_records_the_PIR()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);

        change.Review(_team.Cab, new PostImplementationReview(ReviewOutcome.PartiallySuccessful, "The certificate renewal job was disabled.",
            ["Alert before expiry", " Re-enable the job "], "Handled well"), Now.AddHours(5)).ShouldSucceed();

        change.ReviewedById.ShouldBe(_team.Cab.Id);
        change.ReviewedAt.ShouldBe(Now.AddHours(5));
        change.ReviewOutcome.ShouldBe(ReviewOutcome.PartiallySuccessful);
        change.ReviewRootCause.ShouldBe("The certificate renewal job was disabled.");
        change.ReviewFollowUps.ShouldBe(["Alert before expiry", "Re-enable the job"]);
        change.ReviewNotes.ShouldBe("Handled well");
        change.PendingEvents[^1].Action.ShouldBe("reviewed");
        change.PendingEvents[^1].Detail.ShouldBe("PartiallySuccessful: The certificate renewal job was disabled.");
    }

    [Fact]
    public void A_review_states_its_outcome_and_root_cause()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);

        var refused = change.Review(_team.Cab, new PostImplementationReview(null, " ", ["", new string('x', ChangeRequest.FollowUpMaxLength + 1)], null), Now)
            .ShouldFailWith<ValidationFailed>();

        refused.Errors.Keys.ShouldBe(["outcome", "rootCause", "followUps[0]", "followUps[1]"], ignoreOrder: true);
        change.ReviewedAt.ShouldBeNull();
        change.Review(_team.Cab, new PostImplementationReview(ReviewOutcome.Successful, "r",
            Enumerable.Repeat("f", ChangeRequest.MaxFollowUps + 1).ToList(), null), Now).ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["followUps"]);
    }

    [Fact]
    public void The_write_up_is_overdue_a_second_after_24_hours_and_late_forever_once_done_after()
    {
        var change = Undocumented();
        change.Start(_team.Implementer, Now).ShouldSucceed();

        change.DeadlineFlags(Due.AddSeconds(-1)).ShouldBeEmpty();
        change.DeadlineFlags(Due).ShouldBeEmpty();
        change.DeadlineFlags(Due.AddSeconds(1)).ShouldBe([EmergencyFlags.DocumentationOverdue]);

        change.Edit(_team.Requestor, ChangeType.Emergency, _team.Content(type: ChangeType.Emergency), [ServiceProfiles.Ordinary], Clock.Questionnaire,
            Due.AddHours(1)).ShouldSucceed();
        change.DeadlineFlags(Due.AddHours(2)).ShouldBe([EmergencyFlags.DocumentationOverdue], "documented, but not yet approved");
        Approve(change, _team.Approver, Due.AddHours(3)).ShouldSucceed();

        change.DocumentedAt.ShouldBe(Due.AddHours(3));
        change.DeadlineFlags(Due.AddHours(4)).ShouldBe([EmergencyFlags.DocumentedLate]);
        change.DeadlineFlags(Now.AddYears(1)).ShouldContain(EmergencyFlags.DocumentedLate, "a late write-up stays late in every report");
    }

    [Fact]
    public void A_write_up_done_in_time_is_never_flagged()
    {
        var change = _team.InState(ChangeState.Implementing, ChangeType.Emergency);
        Approve(change, _team.Approver, Due.AddSeconds(-1)).ShouldSucceed();

        change.DocumentedAt.ShouldBe(Due.AddSeconds(-1));
        change.DeadlineFlags(Due.AddDays(2)).ShouldBeEmpty();
    }

    [Fact]
    public void The_review_is_overdue_a_week_after_the_start_and_late_once_given_after()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);
        var reviewDue = change.ReviewDueAt.ShouldNotBeNull();
        reviewDue.ShouldBe(change.ImplementationStartedAt!.Value + ChangeRequest.EmergencyReviewWindow);

        change.DeadlineFlags(reviewDue).ShouldNotContain(EmergencyFlags.ReviewOverdue);
        change.DeadlineFlags(reviewDue.AddSeconds(1)).ShouldContain(EmergencyFlags.ReviewOverdue);
        change.Review(_team.Cab, Reviews.Done(), reviewDue.AddDays(1)).ShouldSucceed();
        change.DeadlineFlags(reviewDue.AddDays(2)).ShouldContain(EmergencyFlags.ReviewedLate);
        change.DeadlineFlags(reviewDue.AddDays(2)).ShouldNotContain(EmergencyFlags.ReviewOverdue);
    }

    [Fact]
    public void A_normal_change_has_no_deadline_flags()
    {
        _team.InState(ChangeState.Implementing).DeadlineFlags(Now.AddYears(1)).ShouldBeEmpty();
    }

    [Fact]
    public void Review_by_the_requestor_is_refused_even_if_a_CAB_member()
    {
        var team = new Team { Requestor = People.Person("cabreq", Role.Requestor, Role.CabMember) };
        var change = team.InState(ChangeState.Verified, ChangeType.Emergency);

        change.Review(team.Requestor, Reviews.Done(), Now).ShouldFailWith<ParticipantReviewForbidden>().Kind.ShouldBe(ErrorKind.Forbidden);
        change.ReviewedAt.ShouldBeNull();
    }

    [Fact]
    public void Review_by_the_implementer_is_refused_even_if_a_CAB_member()
    {
        var team = new Team { Implementer = People.Person("cabimpl", Role.Implementer, Role.CabMember) };
        var change = team.InState(ChangeState.Verified, ChangeType.Emergency);

        change.Review(team.Implementer, Reviews.Done(), Now).ShouldFailWith<ParticipantReviewForbidden>();
    }

    [Fact]
    public void Review_by_someone_without_the_CAB_role_is_refused()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);

        change.Review(_team.Approver, Reviews.Done(), Now).ShouldFailWith<RoleRequired>().Roles.ShouldBe([nameof(Role.CabMember)]);
    }

    [Fact]
    public void Review_by_a_service_account_is_refused()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);

        change.Review(People.ServiceAccount("bot", Role.CabMember), Reviews.Done(), Now).ShouldFailWith<RoleRequired>();
    }

    [Fact]
    public void Review_of_a_normal_change_is_refused()
    {
        var change = _team.InState(ChangeState.Verified);

        change.Review(_team.Cab, Reviews.Done(), Now).ShouldFailWith<InvalidTransition>();
        change.ReviewedAt.ShouldBeNull();
    }

    [Fact]
    public void Review_twice_is_refused()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);
        change.Review(_team.Cab, Reviews.Done(), Now).ShouldSucceed();

        change.Review(People.Person("cab2", Role.CabMember), Reviews.Done(), Now).ShouldFailWith<InvalidTransition>();
        change.ReviewedById.ShouldBe(_team.Cab.Id);
    }

    [Fact]
    public void Close_of_an_emergency_without_approvals_is_refused_as_ApprovalsOutstanding()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);
        change.Review(_team.Cab, Reviews.Done(), Now).ShouldSucceed();

        change.Close(_team.Requestor, Clock.Questionnaire, Now).ShouldFailWith<ApprovalsOutstanding>().Outstanding.ShouldBe(["a Change Approver"]);
        change.State.ShouldBe(ChangeState.Verified);
    }

    [Fact]
    public void Close_of_an_approved_emergency_without_the_PIR_is_refused()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);
        Approve(change, _team.Approver).ShouldSucceed();

        change.Close(_team.Requestor, Clock.Questionnaire, Now).ShouldFailWith<PostImplementationReviewRequired>().Type.ShouldBe("post-implementation-review-required");
        change.State.ShouldBe(ChangeState.Verified);
    }

    [Fact]
    public void Close_of_an_emergency_with_approvals_and_PIR_succeeds()
    {
        var change = _team.InState(ChangeState.Verified, ChangeType.Emergency);
        Approve(change, _team.Approver).ShouldSucceed();
        change.Review(_team.Cab, Reviews.Done(), Now).ShouldSucceed();

        change.Close(_team.Implementer, Clock.Questionnaire, Now.AddHours(6)).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Closed);
        change.ClosedAt.ShouldBe(Now.AddHours(6));
    }

    [Fact]
    public void Close_of_a_rolled_back_emergency_still_needs_the_PIR()
    {
        var change = _team.InState(ChangeState.RolledBack, ChangeType.Emergency);

        change.Close(_team.Requestor, Clock.Questionnaire, Now).ShouldFailWith<PostImplementationReviewRequired>();
    }

    [Fact]
    public void Emergency_path_records_each_action_with_its_own_version()
    {
        var change = _team.InState(ChangeState.Closed, ChangeType.Emergency);

        change.PendingEvents.Select(e => e.Action).ShouldBe(
            ["created", "started", "completed", "verified", "approved", "approval-complete", "reviewed", "closed"]);
        change.PendingEvents.Select(e => e.Version).ShouldBe(Enumerable.Range(1, change.PendingEvents.Count));
        change.Version.ShouldBe(change.PendingEvents.Count);
    }

    [Fact]
    public void A_rejection_of_an_emergency_under_way_stands_no_later_approval_completes_it()
    {
        var change = _team.Draft(ChangeType.Emergency);
        change.Start(_team.Implementer, Now).ShouldSucceed();

        change.Decide(_team.Approver, ApprovalDecision.Reject, "Should have waited for the morning", Clock.Questionnaire, Now.AddHours(1)).ShouldSucceed();

        change.IsRejectedRetrospectively.ShouldBeTrue();
        change.State.ShouldBe(ChangeState.Implementing, "a deployment is not undone by a vote");
        Approve(change, _team.SecondApprover, Now.AddHours(2)).ShouldFailWith<RejectionStands>();
        change.Approvals.Decisions.Count.ShouldBe(1);
        change.ApprovedAt.ShouldBeNull();
        change.Approvals.Outstanding().ShouldNotBeEmpty();
        change.IsDocumentationOverdue(Due.AddSeconds(1)).ShouldBeFalse("it is rejected, not awaiting approval");
    }

    [Fact]
    public void An_edit_voids_approvals_but_not_a_rejection()
    {
        var change = _team.Draft(ChangeType.Emergency);
        change.Start(_team.Implementer, Now).ShouldSucceed();
        change.Decide(_team.Approver, ApprovalDecision.Reject, "No", Clock.Questionnaire, Now.AddHours(1)).ShouldSucceed();

        change.Edit(_team.Requestor, ChangeType.Emergency, _team.Content(type: ChangeType.Emergency) with { Purpose = "Reworded to look better" },
            [ServiceProfiles.Ordinary], Clock.Questionnaire, Now.AddHours(2)).ShouldSucceed();

        change.IsRejectedRetrospectively.ShouldBeTrue();
        Approve(change, _team.SecondApprover, Now.AddHours(3)).ShouldFailWith<RejectionStands>();
    }

    [Fact]
    public void A_rejected_emergency_closes_only_after_a_recorded_rollback_and_the_review()
    {
        var change = _team.Draft(ChangeType.Emergency);
        change.Start(_team.Implementer, Now).ShouldSucceed();
        change.Decide(_team.Approver, ApprovalDecision.Reject, "No", Clock.Questionnaire, Now.AddHours(1)).ShouldSucceed();
        change.Complete(_team.Implementer, Now.AddHours(2)).ShouldSucceed();
        change.Verify(_team.Implementer, VerificationOutcome.Success, "Works", Now.AddHours(3)).ShouldSucceed();
        change.Review(_team.Cab, Reviews.Done("Should have been a normal change"), Now.AddHours(4)).ShouldSucceed();

        change.Close(_team.Requestor, Clock.Questionnaire, Now.AddHours(5)).ShouldFailWith<RollbackRequired>();
        change.State.ShouldBe(ChangeState.Verified);

        change.RollBack(_team.Implementer, "Rolled back as the approver asked", Now.AddHours(6)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.RolledBack);
        change.Close(_team.Requestor, Clock.Questionnaire, Now.AddHours(7)).ShouldSucceed();
        change.IsRejectedRetrospectively.ShouldBeTrue("and it is reported so, closed");
    }

    [Fact]
    public void A_rolled_back_rejected_emergency_still_needs_its_review_to_close()
    {
        var change = _team.Draft(ChangeType.Emergency);
        change.Start(_team.Implementer, Now).ShouldSucceed();
        change.Decide(_team.Approver, ApprovalDecision.Reject, "No", Clock.Questionnaire, Now.AddHours(1)).ShouldSucceed();
        change.RollBack(_team.Implementer, "Reverted at once", Now.AddHours(2)).ShouldSucceed();

        change.Close(_team.Requestor, Clock.Questionnaire, Now.AddHours(3)).ShouldFailWith<PostImplementationReviewRequired>();
    }

    [Fact]
    public void Only_a_rejected_emergency_may_be_rolled_back_before_its_verification_failed()
    {
        var change = _team.Draft(ChangeType.Emergency);
        change.Start(_team.Implementer, Now).ShouldSucceed();

        change.RollBack(_team.Implementer, "Changed my mind", Now.AddHours(1)).ShouldFailWith<InvalidTransition>();
    }
}
