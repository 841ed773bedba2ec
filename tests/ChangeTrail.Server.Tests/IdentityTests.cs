using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>Users, roles, service accounts and API tokens: deny by default, and every bad credential refused with nothing changed.</summary>
public abstract class IdentityTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task A_token_is_shown_once_starts_with_ctp_and_is_stored_only_as_a_hash()
    {
        var person = await S.PersonAsync(Role.Requestor);
        person.Token.ShouldStartWith("ctp_");

        var users = await S.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users");
        var listed = users.Single(u => u.Id == person.Id).Tokens.Single();
        listed.Prefix.ShouldBe(person.Token[..12]);
        (await person.Client.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.ChangeTrailDbContext>();
        var stored = db.ApiTokens.Single(t => t.Id == listed.Id);
        stored.TokenHash.ShouldNotContain(person.Token[4..]);
        stored.TokenHash.ShouldBe(Auth.TokenSecrets.Hash(person.Token));
    }

    [Fact]
    public async Task No_credentials_is_401_with_a_problem()
    {
        var problem = await App.Anonymous().GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        problem.Detail.ShouldNotBeNullOrEmpty();
    }

    [Theory]
    [InlineData("ctp_short")]
    [InlineData("not-a-ctp-token-at-all")]
    [InlineData("ctp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_malformed_or_unknown_token_is_401_and_creates_nothing(string token)
    {
        var before = (await S.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users")).Count;
        var client = App.As(token);
        var problem = await client.PostAsync("/api/v1/users", new CreateUserRequest($"x-{Scenario.Unique()}@example.test", "X", [Role.Admin], null))
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        problem.Detail!.ShouldContain(token.Length == 47 ? "not known" : "malformed");
        (await S.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users")).Count.ShouldBe(before);
    }

    [Fact]
    public async Task A_non_bearer_authorization_header_is_401()
    {
        var client = App.Anonymous();
        client.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
        await client.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var shortLived = await person.Client.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("short", [Scopes.ChangesRead], App.Time.GetUtcNow().UtcDateTime.AddHours(1)));
        var client = App.As(shortLived.Token);
        (await client.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        App.Time.Advance(TimeSpan.FromHours(2));

        var problem = await client.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        problem.Detail!.ShouldContain("expired");
    }

    [Fact]
    public async Task A_revoked_token_is_401_at_once_and_revoking_someone_elses_is_404()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var other = await S.PersonAsync(Role.Requestor);
        var second = await person.Client.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("second", [Scopes.ChangesRead], null));

        await other.Client.Http.DeleteAsync($"/api/v1/tokens/{second.Id}", Ct).ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await App.As(second.Token).GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await person.Client.Http.DeleteAsync($"/api/v1/tokens/{second.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var problem = await App.As(second.Token).GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        problem.Detail!.ShouldContain("revoked");
    }

    [Fact]
    public async Task A_token_without_the_scope_is_403_and_changes_nothing()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var readOnly = await person.Client.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("read-only", [Scopes.ChangesRead], null));
        var service = await S.ServiceAsync();

        var problem = await App.As(readOnly.Token).PostAsync("/api/v1/changes", S.CompleteChange(service))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
        problem.Detail!.ShouldContain(Scopes.ChangesWrite);
        (await person.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"/api/v1/changes?service={service}")).Total.ShouldBe(0);
    }

    [Fact]
    public async Task A_user_cannot_mint_themself_a_token_with_scopes_they_do_not_hold()
    {
        var person = await S.PersonAsync(Role.Requestor);
        await person.Client.PostAsync($"/api/v1/users/{person.Id}/tokens", new CreateTokenRequest("escalate", [Scopes.Admin], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-escalation-forbidden");
        var other = await S.PersonAsync(Role.Requestor);
        await person.Client.PostAsync($"/api/v1/users/{other.Id}/tokens", new CreateTokenRequest("theirs", [Scopes.ChangesRead], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
    }

    [Fact]
    public async Task Admin_endpoints_need_the_admin_role_and_scope()
    {
        var person = await S.PersonAsync(Role.Requestor, Role.ChangeApprover);
        await person.Client.PostAsync("/api/v1/users", new CreateUserRequest("y@example.test", "Y", [Role.Admin], null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
        await person.Client.GetAsync("/api/v1/users").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
        await person.Client.PostAsync("/api/v1/services", new CreateServiceRequest("rogue", null, false, false, []))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
    }

    [Fact]
    public async Task Deactivation_revokes_tokens_at_once_and_shows_in_the_access_review()
    {
        var person = await S.PersonAsync(Role.Requestor);
        (await person.Client.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        (await S.Admin.PostAsync($"/api/v1/users/{person.Id}/deactivate")).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        await person.Client.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        var users = await S.Admin.GetJsonAsync<List<UserResponse>>("/api/v1/users");
        var listed = users.Single(u => u.Id == person.Id);
        listed.Active.ShouldBeFalse();
        listed.Tokens.ShouldAllBe(t => t.RevokedAt != null);
        await S.Admin.PostAsync($"/api/v1/users/{App.AdminId}/deactivate").ShouldBeProblemAsync(HttpStatusCode.Conflict, "cannot-deactivate-self");
    }

    [Fact]
    public async Task The_access_review_csv_lists_every_identity_with_roles_tokens_and_last_use()
    {
        var person = await S.PersonAsync(Role.ChangeApprover, Role.SecurityReviewer);
        await person.Client.GetAsync("/api/v1/changes");
        var pipeline = await S.ServiceAccountAsync([Scopes.ChangesRead], Role.Implementer);

        var response = await S.Admin.GetAsync("/api/v1/users?format=csv");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        lines[0].ShouldBe("id,email,displayName,kind,roles,active,createdAt,deactivatedAt,lastSignInAt,activeTokens,tokens,lastTokenUse,tokensCreatedByOthers");
        var row = lines.Single(l => l.StartsWith(person.Id.ToString(), StringComparison.Ordinal)).Split(',');
        row[1].ShouldBe(person.Email);
        row[3].ShouldBe("person");
        row[4].ShouldBe("ChangeApprover SecurityReviewer");
        row[5].ShouldBe("true");
        row[9].ShouldBe("1");
        row[11].ShouldNotBeEmpty("the token was used");
        lines.Single(l => l.StartsWith(pipeline.Id.ToString(), StringComparison.Ordinal)).ShouldContain(",service-account,Implementer,");
    }

    [Fact]
    public async Task A_service_account_may_not_hold_an_approving_role()
    {
        var problem = await S.Admin.PostAsync("/api/v1/service-accounts", new CreateServiceAccountRequest($"deployer-{Scenario.Unique()}", [Role.ChangeApprover]))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["roles[0]"]);
    }

    [Fact]
    public async Task Creating_a_user_validates_each_field_and_refuses_a_duplicate_email()
    {
        var problem = await S.Admin.PostAsync("/api/v1/users", new CreateUserRequest("not-an-email", "", [Role.Requestor], "short"))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.Order().ShouldBe(["displayName", "email"]);

        var weak = await S.Admin.PostAsync("/api/v1/users", new CreateUserRequest($"w-{Scenario.Unique()}@example.test", "W", [], "short"))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        weak.Errors!.Keys.ShouldBe(["password"]);

        var person = await S.PersonAsync(Role.Requestor);
        await S.Admin.PostAsync("/api/v1/users", new CreateUserRequest(person.Email.ToUpperInvariant(), "Dup", [], null))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "email-already-used");
    }

    [Fact]
    public async Task Passwords_are_stored_hashed()
    {
        var email = $"pw-{Scenario.Unique()}@example.test";
        var id = (await S.Admin.PostJsonAsync<CreatedResponse>("/api/v1/users",
            new CreateUserRequest(email, "Pat", [Role.Requestor], "correct horse battery staple"))).Id;

        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Persistence.Identity.AppUser>>();
        var user = (await users.FindByIdAsync(id.ToString()))!;
        user.PasswordHash.ShouldNotBeNullOrEmpty();
        user.PasswordHash.ShouldNotContain("correct horse");
        (await users.CheckPasswordAsync(user, "correct horse battery staple")).ShouldBeTrue();
        user.LockoutEnabled.ShouldBeTrue("Identity's own lockout is the backstop against guessing from many clients");
        user.MustChangePassword.ShouldBeTrue("an Admin set it: it is temporary");
    }

    [Fact]
    public async Task An_admin_changes_roles_the_change_takes_effect_at_once_and_is_a_ledger_entry()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var (_, _, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await person.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "approver-role-required");

        var updated = await ApiClient.ReadAsync<UserResponse>(await S.Admin.Http.PutAsJsonAsync($"/api/v1/users/{person.Id}/roles",
            new ChangeRolesRequest([Role.Requestor, Role.ChangeApprover]), ApiJson.Options, Ct));

        updated.Roles.ShouldBe([Role.Requestor, Role.ChangeApprover]);
        (await person.ApproveAsync(change.Number)).State.ShouldBe(Domain.Changes.ChangeState.Approved);
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.ChangeTrailDbContext>();
        db.LedgerEntries.Where(e => e.SubjectId == person.Id.ToString()).OrderBy(e => e.Index).Select(e => e.Action).ToList()
            .ShouldBe(["user.created", "user.password-changed", "user.roles-changed"]);
    }

    [Fact]
    public async Task Role_changes_are_refused_for_non_admins_for_an_admins_own_admin_role_and_for_service_account_approvers()
    {
        var person = await S.PersonAsync(Role.Requestor);
        (await person.Client.Http.PutAsJsonAsync($"/api/v1/users/{person.Id}/roles", new ChangeRolesRequest([Role.Admin]), ApiJson.Options, Ct))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await Task.FromResult(await S.Admin.Http.PutAsJsonAsync($"/api/v1/users/{App.AdminId}/roles", new ChangeRolesRequest([Role.Auditor]),
            ApiJson.Options, Ct)).ShouldBeProblemAsync(HttpStatusCode.Conflict, "cannot-remove-own-admin");
        var pipeline = await S.ServiceAccountAsync([Scopes.ChangesRead], Role.Implementer);
        var problem = await Task.FromResult(await S.Admin.Http.PutAsJsonAsync($"/api/v1/users/{pipeline.Id}/roles",
            new ChangeRolesRequest([Role.Implementer, Role.ChangeApprover]), ApiJson.Options, Ct))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["roles[1]"]);
    }

    [Fact]
    public async Task Token_creation_validates_scopes_and_expiry()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var problem = await S.Admin.PostAsync($"/api/v1/users/{person.Id}/tokens",
                new CreateTokenRequest("", ["changes:everything", "gate:production"], App.Time.GetUtcNow().UtcDateTime.AddDays(-1)))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.Order().ShouldBe(["expiresAt", "name", "scopes[0]"]);
    }
}

public sealed class IdentityTests_Sqlite(SqliteApp app) : IdentityTests(app), IClassFixture<SqliteApp>;

public sealed class IdentityTests_Postgres(PostgresApp app) : IdentityTests(app), IClassFixture<PostgresApp>;
