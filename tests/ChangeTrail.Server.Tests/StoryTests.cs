using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>The whole story, on a server that starts with no users at all.</summary>
public abstract class StoryTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task A_regulated_change_goes_from_setup_to_Approved_only_with_approver_and_security_sign_off()
    {
        // Setup: the first admin, with the one-time code.
        var anonymous = App.Anonymous();
        var setup = await anonymous.PostJsonAsync<SetupResponse>("/api/v1/setup",
            new SetupRequest("head@example.test", "Head Admin", "a long enough password", ChangeTrailApp.SetupCode));
        setup.Token.ShouldStartWith("ctp_");
        var admin = App.As(setup.Token);

        // People with roles: each is invited, chooses their own password on the invitation page, and signs in for a
        // token of their own (nobody else can make them one that approves).
        async Task<Person> User(string name, params Role[] roles)
        {
            var email = $"{name}@example.test";
            var created = await admin.PostJsonAsync<CreatedUserResponse>("/api/v1/users", new CreateUserRequest(email, name, roles, null));
            await App.AcceptInvitationAsync(created.InvitationUrl!, $"{name}'s own passphrase");
            var token = await anonymous.PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
                new PersonalTokenRequest(email, $"{name}'s own passphrase", "laptop", Scenario.PersonScopes, null));
            return new Person(created.Id, email, token.Token, App.As(token.Token));
        }
        var rita = await User("rita", Role.Requestor, Role.Implementer);
        var alan = await User("alan", Role.ChangeApprover);
        var sam = await User("sam", Role.SecurityReviewer);

        // A service holding regulated data.
        await admin.PostJsonAsync<CreatedResponse>("/api/v1/services",
            new CreateServiceRequest("payments", null, RegulatedData: true, SecurityControl: false,
                [new EnvironmentDto("staging", false), new EnvironmentDto("production", true)]));

        // A draft without a rollback plan is refused at submit, naming the field.
        var fields = new Scenario(App).CompleteChange("payments") with { RollbackPlan = null };
        var draft = await rita.CreateAsync(fields);
        draft.State.ShouldBe(ChangeState.Draft);
        draft.Risk.Security.ShouldBe(Domain.Risk.RiskLevel.Medium, "regulated data lifts security risk to at least Medium");
        var refused = await rita.TryAsync(draft.Number, "submit").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "missing-required-fields");
        refused.Errors!.Keys.ShouldBe(["rollbackPlan"]);

        // Completed, it submits.
        await rita.Client.PatchAsync($"/api/v1/changes/{draft.Number}", new { rollbackPlan = "Redeploy the previous release." });
        var submitted = await rita.ActAsync(draft.Number, "submit");
        submitted.State.ShouldBe(ChangeState.Submitted);
        submitted.RequiredApprovals.Select(r => r.Slot).ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]);

        // The requestor cannot approve their own change.
        await rita.TryApproveAsync(draft.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "self-approval-forbidden");

        // The approver approves: still awaiting security.
        var afterApprover = await alan.ApproveAsync(draft.Number);
        afterApprover.State.ShouldBe(ChangeState.Submitted);
        afterApprover.RequiredApprovals.Single(r => r.Slot == ApprovalSlot.SecurityTeam).FilledBy.ShouldBeNull();

        // Security signs off: Approved.
        var approved = await sam.ApproveAsync(draft.Number);
        approved.State.ShouldBe(ChangeState.Approved);
        approved.RequiredApprovals.Select(r => r.FilledBy?.Id).ShouldBe([alan.Id, sam.Id]);
        approved.Timeline.Select(t => t.Action).ShouldBe(
            ["created", "edited", "submitted", "approved", "approved", "approval-complete"]);

        // And a second setup is refused now that users exist.
        var again = await anonymous.PostAsync("/api/v1/setup",
            new SetupRequest("x@example.test", "X", "a long enough password", ChangeTrailApp.SetupCode));
        await Task.FromResult(again).ShouldBeProblemAsync(HttpStatusCode.Conflict, "setup-already-done");
    }
}

public sealed class UnsetSqliteApp() : ChangeTrailApp(TestProvider.Sqlite)
{
    protected override bool SetUpOnStart => false;
}

public sealed class UnsetPostgresApp() : ChangeTrailApp(TestProvider.Postgres)
{
    protected override bool SetUpOnStart => false;
}

public sealed class StoryTests_Sqlite(UnsetSqliteApp app) : StoryTests(app), IClassFixture<UnsetSqliteApp>;

public sealed class StoryTests_Postgres(UnsetPostgresApp app) : StoryTests(app), IClassFixture<UnsetPostgresApp>;
