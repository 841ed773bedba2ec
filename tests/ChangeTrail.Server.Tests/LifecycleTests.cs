using System.Net;
using System.Net.Http.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>Every lifecycle transition of ARCHITECTURE.md through the API, allowed and refused.</summary>
public abstract class LifecycleTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task A_normal_change_runs_from_draft_to_closed_and_refuses_every_out_of_order_step()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var approver = await S.PersonAsync(Role.ChangeApprover);
        var n = (await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()))).Number;

        async Task Refused(Person who, string action, object? body = null) =>
            await who.TryAsync(n, action, body).ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");

        // Draft
        await approver.TryAsync(n, "approvals", new DecisionRequest(ApprovalDecision.Approve, null))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        await Refused(requestor, "start");
        await Refused(requestor, "complete");
        await Refused(requestor, "close");
        (await requestor.ActAsync(n, "submit")).State.ShouldBe(ChangeState.Submitted);

        // Submitted
        await Refused(requestor, "submit");
        await Refused(requestor, "start");
        (await approver.ApproveAsync(n)).State.ShouldBe(ChangeState.Approved);

        // Approved
        await Refused(requestor, "complete");
        await Refused(requestor, "verify", new VerifyRequest(VerificationOutcome.Success, null));
        var started = await requestor.ActAsync(n, "start");
        started.State.ShouldBe(ChangeState.Implementing);
        started.Implementer!.Id.ShouldBe(requestor.Id);

        // Implementing
        await Refused(requestor, "cancel");
        await Refused(requestor, "close");
        await Refused(requestor, "verify", new VerifyRequest(VerificationOutcome.Success, null));
        (await requestor.ActAsync(n, "complete")).State.ShouldBe(ChangeState.Implemented);

        // Implemented
        await Refused(requestor, "rollback");
        await Refused(requestor, "close");
        var verified = await requestor.ActAsync(n, "verify", new VerifyRequest(VerificationOutcome.Success, "Dashboards green for 30 min."));
        verified.State.ShouldBe(ChangeState.Verified);
        verified.VerificationNotes.ShouldBe("Dashboards green for 30 min.");

        // Verified
        await Refused(requestor, "rollback");
        await requestor.TryAsync(n, "review").ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        var closed = await requestor.ActAsync(n, "close");
        closed.State.ShouldBe(ChangeState.Closed);
        closed.Timeline.Select(t => t.Action).ShouldBe(
            ["created", "submitted", "approved", "approval-complete", "started", "completed", "verified", "closed"]);

        // Closed is final.
        await Refused(requestor, "cancel");
        await Refused(requestor, "start");
    }

    [Fact]
    public async Task A_failed_verification_leads_to_rollback_then_close()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);
        await requestor.ActAsync(change.Number, "start");
        await requestor.ActAsync(change.Number, "complete");

        (await requestor.ActAsync(change.Number, "verify", new VerifyRequest(VerificationOutcome.Failed, "Error rate doubled.")))
            .State.ShouldBe(ChangeState.Failed);
        await requestor.TryAsync(change.Number, "close").ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        (await requestor.ActAsync(change.Number, "rollback", new NotesRequest("Previous image redeployed.", null))).State.ShouldBe(ChangeState.RolledBack);
        (await requestor.ActAsync(change.Number, "close")).State.ShouldBe(ChangeState.Closed);
    }

    [Fact]
    public async Task Verify_without_an_outcome_names_the_field()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);
        await requestor.ActAsync(change.Number, "start");
        await requestor.ActAsync(change.Number, "complete");

        var problem = await requestor.TryAsync(change.Number, "verify", new VerifyRequest(null, "no outcome"))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["outcome"]);
    }

    [Theory]
    [InlineData(ChangeState.Draft)]
    [InlineData(ChangeState.Submitted)]
    [InlineData(ChangeState.Approved)]
    public async Task Cancel_is_allowed_before_implementation(ChangeState state)
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        if (state == ChangeState.Draft)
            await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { title = "Edited back to draft" });
        if (state == ChangeState.Approved)
            await approver.ApproveAsync(change.Number);
        (await requestor.GetAsync(change.Number)).State.ShouldBe(state);

        var cancelled = await requestor.ActAsync(change.Number, "cancel", new NotesRequest(null, "No longer needed."));
        cancelled.State.ShouldBe(ChangeState.Cancelled);
        cancelled.CancellationReason.ShouldBe("No longer needed.");
    }

    [Fact]
    public async Task Only_the_requestor_submits_edits_or_cancels_and_only_the_implementer_completes()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var colleague = await S.PersonAsync(Role.Requestor, Role.Implementer);

        await colleague.TryAsync(change.Number, "cancel").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "not-the-requestor");
        var patch = await colleague.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { title = "Hijacked" });
        await Task.FromResult(patch).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "not-the-requestor");

        await approver.ApproveAsync(change.Number);
        await requestor.ActAsync(change.Number, "start");
        await colleague.TryAsync(change.Number, "complete").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "not-the-implementer");
        var approverOnly = await S.PersonAsync(Role.ChangeApprover);
        await approverOnly.TryAsync(change.Number, "start").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
    }

    [Fact]
    public async Task A_requestor_and_implementer_left_only_the_Auditor_role_is_read_only_on_their_own_changes_but_for_a_legal_hold()
    {
        var (person, approver, started) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(started.Number);
        await person.ActAsync(started.Number, "start");
        var draft = await person.CreateAsync(S.CompleteChange(await S.ServiceAsync()));

        (await S.Admin.Http.PutAsJsonAsync($"/api/v1/users/{person.Id}/roles", new ChangeRolesRequest([Role.Auditor]), ApiJson.Options, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        // "Auditors are read-only everywhere except legal holds and exports": the roles held now count, not those held
        // when the changes were requested and started.
        foreach (var step in new[] { "submit", "cancel" })
            await person.TryAsync(draft.Number, step).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        await Task.FromResult(await person.Client.PatchAsync($"/api/v1/changes/{draft.Number}", new { title = "Edited by an auditor" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        foreach (var step in new[] { "complete", "close" })
            await person.TryAsync(started.Number, step).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        (await person.GetAsync(draft.Number)).ShouldSatisfyAllConditions(
            d => d.State.ShouldBe(ChangeState.Draft), d => d.Title.ShouldBe(draft.Title));
        (await person.GetAsync(started.Number)).State.ShouldBe(ChangeState.Implementing);

        (await person.ActAsync(started.Number, "legal-hold", new LegalHoldRequest("Audit sample 2026-Q4"))).LegalHold.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_emergency_starts_at_once_is_documented_and_approved_afterwards_and_closes_after_CAB_review()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var service = await S.ServiceAsync();
        var emergency = await requestor.CreateAsync(new ChangeFields(ChangeType.Emergency, "Hotfix expired TLS certificate",
            null, null, null, null, null, null, null, null, [service], null, null, null, null, null, null));
        await requestor.TryAsync(emergency.Number, "start").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "missing-required-fields");

        await requestor.Client.PatchAsync($"/api/v1/changes/{emergency.Number}",
            new { emergencyJustification = "Checkout is down: the certificate expired at 03:00." });
        var started = await requestor.ActAsync(emergency.Number, "start");
        started.State.ShouldBe(ChangeState.Implementing);
        started.DocumentationDueAt.ShouldBe(started.ImplementationStartedAt!.Value.AddHours(24));
        started.DocumentationOverdue.ShouldBeFalse();

        // Retrospective approval needs the documentation first.
        var approver = await S.PersonAsync(Role.ChangeApprover);
        await approver.TryApproveAsync(emergency.Number).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "missing-required-fields");

        var complete = S.CompleteChange(service);
        await requestor.Client.PatchAsync($"/api/v1/changes/{emergency.Number}", new
        {
            complete.Purpose,
            complete.Scope,
            complete.ImpactAnalysis,
            complete.RollbackPlan,
            complete.TestPlan,
            complete.TestResults,
            complete.PlannedStart,
            complete.PlannedEnd,
            complete.RiskAnswers,
        });
        var approved = await approver.ApproveAsync(emergency.Number);
        approved.State.ShouldBe(ChangeState.Implementing, "a retrospective approval does not move an emergency under way");
        approved.ApprovedAt.ShouldNotBeNull();

        await requestor.ActAsync(emergency.Number, "complete");
        await requestor.ActAsync(emergency.Number, "verify", new VerifyRequest(VerificationOutcome.Success, null));
        await requestor.TryAsync(emergency.Number, "close").ShouldBeProblemAsync(HttpStatusCode.Conflict, "post-implementation-review-required");

        var cab = await S.PersonAsync(Role.CabMember);
        await approver.TryAsync(emergency.Number, "review").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        var refused = await cab.TryAsync(emergency.Number, "review", new ReviewRequest(null, null, null, "Handled well."))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        refused.Errors!.Keys.ShouldBe(["outcome", "rootCause"], ignoreOrder: true);
        var reviewed = await cab.ActAsync(emergency.Number, "review",
            new ReviewRequest(ReviewOutcome.Successful, "No alert watched the certificate's expiry.", ["Alert 14 days before expiry"], null));
        reviewed.Review!.Reviewer.Id.ShouldBe(cab.Id);
        reviewed.Review.Outcome.ShouldBe(ReviewOutcome.Successful);
        reviewed.Review.RootCause.ShouldBe("No alert watched the certificate's expiry.");
        reviewed.Review.FollowUps.ShouldBe(["Alert 14 days before expiry"]);
        (await requestor.ActAsync(emergency.Number, "close")).State.ShouldBe(ChangeState.Closed);
    }

    [Fact]
    public async Task A_rejected_emergency_is_not_approved_by_a_second_approver_and_closes_only_rolled_back_and_reviewed()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var service = await S.ServiceAsync();
        var emergency = await requestor.CreateAsync(S.CompleteChange(service, type: "Emergency") with { EmergencyJustification = "Outage" });
        await requestor.ActAsync(emergency.Number, "start");
        var first = await S.PersonAsync(Role.ChangeApprover);
        var second = await S.PersonAsync(Role.ChangeApprover);

        var rejected = await first.ActAsync(emergency.Number, "approvals", new DecisionRequest(ApprovalDecision.Reject, "Not an emergency"));
        rejected.RejectedRetrospectively.ShouldBeTrue();
        await second.TryApproveAsync(emergency.Number).ShouldBeProblemAsync(HttpStatusCode.Conflict, "rejection-stands");

        await requestor.ActAsync(emergency.Number, "complete");
        await requestor.ActAsync(emergency.Number, "verify", new VerifyRequest(VerificationOutcome.Success, null));
        var cab = await S.PersonAsync(Role.CabMember);
        await cab.ActAsync(emergency.Number, "review",
            new ReviewRequest(ReviewOutcome.Unsuccessful, "Not an emergency: it should have waited for the change window.", [], null));
        await requestor.TryAsync(emergency.Number, "close").ShouldBeProblemAsync(HttpStatusCode.Conflict, "rollback-required");

        await requestor.ActAsync(emergency.Number, "rollback", new NotesRequest("Reverted to the previous release.", null));
        var closed = await requestor.ActAsync(emergency.Number, "close");
        closed.State.ShouldBe(ChangeState.Closed);
        closed.RejectedRetrospectively.ShouldBeTrue("reported as rejected retrospectively, for good");
        closed.Approvals.ShouldHaveSingleItem().Decision.ShouldBe(ApprovalDecision.Reject);
    }

    [Fact]
    public async Task Someone_who_may_not_edit_is_told_so_before_anything_about_their_fields()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);

        await approver.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { title = new string('x', 5000) })
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
    }

    [Fact]
    public async Task The_requestor_of_an_emergency_cannot_review_it()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer, Role.CabMember);
        var emergency = await requestor.CreateAsync(new ChangeFields(ChangeType.Emergency, "Block abusive IP range", null, null, null, null,
            null, null, null, null, [await S.ServiceAsync()], null, null, null, null, null, "Credential stuffing in progress."));
        await requestor.ActAsync(emergency.Number, "start");
        await requestor.ActAsync(emergency.Number, "complete");

        await requestor.TryAsync(emergency.Number, "review").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "participant-review-forbidden");
    }

    [Fact]
    public async Task An_emergency_undocumented_after_24_hours_is_flagged_overdue()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var emergency = await requestor.CreateAsync(new ChangeFields(ChangeType.Emergency, "Restart wedged queue", null, null, null, null,
            null, null, null, null, [await S.ServiceAsync()], null, null, null, null, null, "Orders are not being processed."));
        await requestor.ActAsync(emergency.Number, "start");

        App.Time.Advance(TimeSpan.FromHours(25));
        var later = await requestor.GetAsync(emergency.Number);
        later.DocumentationOverdue.ShouldBeTrue();
        later.MissingFields.ShouldContain("rollbackPlan");
    }

    [Fact]
    public async Task Unknown_change_is_404_by_number_and_by_id()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        await requestor.Client.GetAsync("/api/v1/changes/CR-999999").ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        await requestor.Client.GetAsync($"/api/v1/changes/{Guid.NewGuid()}").ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        await requestor.TryAsync("CR-999999", "submit").ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}

public sealed class LifecycleTests_Sqlite(SqliteApp app) : LifecycleTests(app), IClassFixture<SqliteApp>;

public sealed class LifecycleTests_Postgres(PostgresApp app) : LifecycleTests(app), IClassFixture<PostgresApp>;
