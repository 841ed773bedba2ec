using System.Net;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>My tokens (/account/tokens) through the real pipeline: a person's own session, the forms as a browser posts them.</summary>
public sealed partial class MyTokensPageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Password = "a passphrase of my own";

    [Fact]
    public async Task A_token_made_on_my_tokens_may_hold_changes_approve_is_personal_and_is_shown_once()
    {
        var email = $"approver-{Scenario.Unique()}@example.test";
        var id = await app.AddPersonAsync(email, "Paula Personal", [Role.ChangeApprover], Password);
        var browser = await app.SignInAsync(email, Password);
        (await browser.GetStringAsync("/changes", Ct)).ShouldContain("""<a href="/account/tokens" aria-current="false">My tokens</a>""");

        var response = await browser.PostFormAsync("/account/tokens", "/account/tokens?handler=CreateToken",
            ("Form.Name", "approvals"), ("Form.Scopes", "changes:read"), ("Form.Scopes", "changes:approve"), ("Form.ExpiresAt", ""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var token = TokenShown().Match(await response.Content.ReadAsStringAsync(Ct)).Groups[1].Value;
        token.ShouldStartWith("ctp_");
        var made = (await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single(u => u.Id == id).Tokens.Single(t => t.Name == "approvals");
        made.Scopes.ShouldBe([Scopes.ChangesApprove, Scopes.ChangesRead], ignoreOrder: true);
        made.PersonallyIssued.ShouldBeTrue();
        made.CreatedById.ShouldBe(id);
        made.ExpiresAt.ShouldNotBeNull("an empty expiry means the maximum lifetime, not never");

        var again = await browser.GetStringAsync("/account/tokens", Ct);
        again.ShouldNotContain(token);
        again.ShouldContain(token[..12]);
    }

    [Fact]
    public async Task Someone_elses_token_cannot_be_revoked_from_my_tokens()
    {
        var mine = $"mine-{Scenario.Unique()}@example.test";
        await app.AddPersonAsync(mine, "Mia Mine", [Role.Requestor], Password);
        var other = await new Scenario(app).PersonAsync(Role.Requestor);
        var otherToken = (await app.AsAdmin().GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single(u => u.Id == other.Id).Tokens.Single();
        var browser = await app.SignInAsync(mine, Password);

        var response = await browser.PostFormAsync("/account/tokens", $"/account/tokens?handler=Revoke&tokenId={otherToken.Id}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Not done:");
        (await other.Client.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task My_tokens_needs_a_session()
    {
        var response = await app.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/account/tokens", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("""class="token"[^>]*>(ctp_[A-Za-z0-9_-]+)<""")]
    private static partial Regex TokenShown();
}
