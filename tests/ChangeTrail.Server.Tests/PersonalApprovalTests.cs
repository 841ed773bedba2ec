using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Auth;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Nobody acts as another person (issue 9, the first attack): an approving scope is held only by a token its owner made
/// by proving who they are, it is checked again at every use, and each decision records the credential it came with.
/// </summary>
public abstract class PersonalApprovalTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task An_admin_cannot_make_an_approving_token_for_someone_else_and_nothing_is_created()
    {
        var approver = await S.PersonAsync(Role.ChangeApprover);
        var tokensBefore = await TokenCountAsync();

        var problem = await S.Admin.PostAsync($"/api/v1/users/{approver.Id}/tokens", new CreateTokenRequest("for you", [Scopes.ChangesApprove], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-not-delegable");
        problem.Detail!.ShouldContain("POST /api/v1/auth/tokens");
        await S.Admin.PostAsync($"/api/v1/users/{approver.Id}/tokens", new CreateTokenRequest("triage", [Scopes.FindingsTriage], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-not-delegable");
        // Not even for themself with a token: a token might not be in its owner's hands.
        await S.Admin.PostAsync($"/api/v1/users/{App.AdminId}/tokens", new CreateTokenRequest("mine", [Scopes.ChangesApprove], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-not-delegable");
        await approver.Client.PostAsync($"/api/v1/users/{approver.Id}/tokens", new CreateTokenRequest("mine", [Scopes.ChangesApprove], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-not-delegable");

        (await TokenCountAsync()).ShouldBe(tokensBefore);
        // Every other scope an Admin may still grant.
        (await S.Admin.PostAsync($"/api/v1/users/{approver.Id}/tokens", new CreateTokenRequest("read", [Scopes.ChangesRead], null)))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task An_approving_token_someone_else_made_before_the_rule_is_refused_at_use_and_the_change_stays_as_it_was()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        // The attack as it was: a token with changes:approve that an Admin made for the approver, stored as the old
        // rules stored it (by SQL here, since the API no longer makes one).
        var planted = await S.PlantTokenAsync(approver.Id, Scenario.PersonScopes, App.AdminId, App.Time.GetUtcNow().UtcDateTime.AddDays(30));
        var asApprover = new Person(approver.Id, approver.Email, planted, App.As(planted));

        await asApprover.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-not-delegable");
        await asApprover.TryAsync(change.Number, "approvals", new DecisionRequest(Domain.Changes.ApprovalDecision.Reject, "no"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-not-delegable");

        var after = await approver.GetAsync(change.Number);
        after.State.ShouldBe(Domain.Changes.ChangeState.Submitted);
        after.Approvals.ShouldBeEmpty();
        // The approver's own token, made with their password, decides.
        (await approver.ApproveAsync(change.Number)).State.ShouldBe(Domain.Changes.ChangeState.Approved);
    }

    [Fact]
    public async Task Each_decision_records_the_token_it_came_with_and_its_ledger_entry_carries_it()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var tokenId = await TokenIdAsync(approver.Token);

        var approved = await approver.ApproveAsync(change.Number);

        approved.Approvals.Single().Credential.ShouldBe($"token:{tokenId}");
        var entry = await LatestEntryAsync(change.Id);
        entry.Action.ShouldBe("change.approved");
        entry.Record!.ShouldContain($"\"credential\":\"token:{tokenId}\"");
    }

    [Fact]
    public async Task A_decision_in_a_web_session_records_the_session_whose_sign_in_is_in_the_ledger()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var browser = await App.SignInAsync(approver.Email, approver.Password);

        var decided = await browser.PostFormAsync($"/changes/{change.Number}", $"/changes/{change.Number}?handler=Step",
            ("step", "approvals"), ("decision", "Approve"), ("notes", "Checked in the browser"));
        decided.StatusCode.ShouldBe(HttpStatusCode.Redirect, await decided.Content.ReadAsStringAsync(Ct));

        var credential = (await approver.GetAsync(change.Number)).Approvals.Single().Credential.ShouldNotBeNull();
        credential.ShouldStartWith("session:");
        var sessionId = credential["session:".Length..];
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var signIn = await db.LedgerEntries.AsNoTracking()
            .SingleAsync(e => e.SubjectType == LedgerSubjects.Session.Type && e.SubjectId == sessionId, Ct);
        signIn.Action.ShouldBe("session.signed-in");
        signIn.ActorId.ShouldBe(approver.Id);
    }

    [Fact]
    public async Task The_access_review_names_tokens_made_by_someone_other_than_their_owner()
    {
        var person = await S.PersonAsync(Role.Requestor);
        await S.Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens", new CreateTokenRequest("handed over", [Scopes.ChangesRead], null));

        var csv = await (await S.Admin.GetAsync("/api/v1/users?format=csv")).Content.ReadAsStringAsync(Ct);
        var row = csv.Split("\r\n").Single(l => l.StartsWith(person.Id.ToString(), StringComparison.Ordinal));

        row.ShouldEndWith(",handed over by admin@example.test");
        var listed = (await S.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single(u => u.Id == person.Id);
        listed.Tokens.Single(t => t.Name == "handed over").CreatedById.ShouldBe(App.AdminId);
        listed.Tokens.Single(t => t.Name == "test").PersonallyIssued.ShouldBeTrue();
    }

    private async Task<int> TokenCountAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().ApiTokens.CountAsync(Ct);
    }

    private async Task<Guid> TokenIdAsync(string token)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var hash = TokenSecrets.Hash(token);
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().ApiTokens.Where(t => t.TokenHash == hash)
            .Select(t => t.Id).SingleAsync(Ct);
    }

    private async Task<LedgerEntry> LatestEntryAsync(Guid change)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var id = change.ToString();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().LedgerEntries.AsNoTracking()
            .Where(e => e.SubjectId == id).OrderByDescending(e => e.Index).FirstAsync(Ct);
    }
}

public sealed class PersonalApprovalTests_Sqlite(SqliteApp app) : PersonalApprovalTests(app), IClassFixture<SqliteApp>;

public sealed class PersonalApprovalTests_Postgres(PostgresApp app) : PersonalApprovalTests(app), IClassFixture<PostgresApp>;
