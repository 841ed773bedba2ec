using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>Policy 3.3 (who approves what) and 3.7 (separation of duties), each refusal with its own problem type.</summary>
public abstract class SeparationOfDutiesTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Approve_by_requestor_is_refused()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.ChangeApprover);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        await requestor.ActAsync(change.Number, "submit");

        await requestor.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "self-approval-forbidden");
        (await requestor.GetAsync(change.Number)).Approvals.ShouldBeEmpty();
    }

    [Fact]
    public async Task Approve_by_the_named_implementer_is_refused()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var implementer = await S.PersonAsync(Role.Implementer, Role.ChangeApprover);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync(), implementer: implementer.Email));
        await requestor.ActAsync(change.Number, "submit");

        await implementer.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "implementer-approval-forbidden");
    }

    [Fact]
    public async Task An_approver_cannot_then_implement_the_change_they_alone_approved()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var approverImplementer = await S.PersonAsync(Role.ChangeApprover, Role.Implementer);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        await requestor.ActAsync(change.Number, "submit");
        (await approverImplementer.ApproveAsync(change.Number)).State.ShouldBe(ChangeState.Approved);

        await approverImplementer.TryAsync(change.Number, "start").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "implementer-approval-forbidden");
        (await requestor.GetAsync(change.Number)).State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task Approve_by_the_author_of_a_linked_commit_is_refused()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var author = await S.PersonAsync(Role.ChangeApprover);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync(),
            commits: [new CommitDto("0123456789abcdef0123456789abcdef01234567", author.Email.ToUpperInvariant())]));
        await requestor.ActAsync(change.Number, "submit");

        var problem = await author.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "commit-author-approval-forbidden");
        problem.Detail!.ShouldContain("0123456789abcdef0123456789abcdef01234567");
    }

    [Fact]
    public async Task Approve_by_a_service_account_is_refused()
    {
        var (_, _, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var pipeline = await S.ServiceAccountAsync([Scopes.ChangesRead, Scopes.ChangesWrite], Role.Implementer);

        await pipeline.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "service-account-cannot-approve");
        (await S.Admin.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{change.Number}")).Approvals.ShouldBeEmpty();
        // Nor can an admin mint a token that would let it try.
        await S.Admin.PostAsync($"/api/v1/service-accounts/{pipeline.Id}/tokens", new CreateTokenRequest("approve", [Scopes.ChangesApprove], null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
    }

    [Fact]
    public async Task Approve_without_an_approving_role_is_refused()
    {
        var (_, _, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var bystander = await S.PersonAsync(Role.Requestor, Role.Auditor);

        await bystander.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "approver-role-required");
    }

    [Fact]
    public async Task A_person_holding_approver_and_security_roles_counts_once()
    {
        var (_, _, change) = await ChangeFlow.SubmittedChangeAsync(S, regulated: true);
        var both = await S.PersonAsync(Role.ChangeApprover, Role.SecurityReviewer);

        var afterFirst = await both.ApproveAsync(change.Number);
        afterFirst.State.ShouldBe(ChangeState.Submitted);
        afterFirst.RequiredApprovals.Count(r => r.FilledBy is not null).ShouldBe(1);

        await both.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Conflict, "already-approved");

        // A plain approver then completes it: matching moves the dual-role person to the security slot.
        var approver = await S.PersonAsync(Role.ChangeApprover);
        var approved = await approver.ApproveAsync(change.Number);
        approved.State.ShouldBe(ChangeState.Approved);
        approved.RequiredApprovals.Single(r => r.Slot == ApprovalSlot.SecurityTeam).FilledBy!.Id.ShouldBe(both.Id);
        approved.RequiredApprovals.Single(r => r.Slot == ApprovalSlot.ChangeApprover).FilledBy!.Id.ShouldBe(approver.Id);
    }

    [Fact]
    public async Task A_second_approver_filling_nothing_new_is_refused()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S, regulated: true);
        await approver.ApproveAsync(change.Number);
        var another = await S.PersonAsync(Role.ChangeApprover);

        var problem = await another.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Conflict, "approval-not-required");
        problem.Detail!.ShouldContain("Security Team sign-off");
    }

    [Fact]
    public async Task High_risk_needs_a_CAB_member_as_well_as_an_approver()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S, highRisk: true);
        change.Risk.Overall.ShouldBe(Domain.Risk.RiskLevel.High);
        change.RequiredApprovals.Select(r => r.Slot).ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.CabMember]);

        (await approver.ApproveAsync(change.Number)).State.ShouldBe(ChangeState.Submitted);
        var cab = await S.PersonAsync(Role.CabMember);
        (await cab.ApproveAsync(change.Number)).State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task Low_risk_on_an_ordinary_service_is_approved_by_one_approver()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        change.RequiredApprovals.Select(r => r.Slot).ShouldBe([ApprovalSlot.ChangeApprover]);
        (await approver.ApproveAsync(change.Number)).State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task A_security_control_service_needs_security_sign_off()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync(securityControl: true)));
        var submitted = await requestor.ActAsync(change.Number, "submit");
        submitted.RequiredApprovals.Select(r => r.Slot).ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]);
        submitted.Risk.Security.ShouldBe(Domain.Risk.RiskLevel.Medium);
    }

    [Fact]
    public async Task One_rejection_ends_the_change()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S, regulated: true);
        var security = await S.PersonAsync(Role.SecurityReviewer);
        await approver.ApproveAsync(change.Number);

        var rejected = await security.ActAsync(change.Number, "approvals", new DecisionRequest(ApprovalDecision.Reject, "Card data leaves the PCI zone."));
        rejected.State.ShouldBe(ChangeState.Rejected);
        rejected.Approvals.Single(a => a.Decision == ApprovalDecision.Reject).Comment.ShouldBe("Card data leaves the PCI zone.");
        await requestor.TryAsync(change.Number, "submit").ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
    }
}

public sealed class SeparationOfDutiesTests_Sqlite(SqliteApp app) : SeparationOfDutiesTests(app), IClassFixture<SqliteApp>;

public sealed class SeparationOfDutiesTests_Postgres(PostgresApp app) : SeparationOfDutiesTests(app), IClassFixture<PostgresApp>;
