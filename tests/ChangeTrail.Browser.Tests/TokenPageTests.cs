using System.Net;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// "Approvals are personal" on screen: a person makes their own approving token on My tokens; an Admin on someone
/// else's page cannot, and can only send a person who has no password of their own yet a new invitation link.
/// </summary>
public sealed partial class TokenPageTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    [Fact]
    public async Task A_person_makes_an_approving_token_on_my_tokens_sees_it_once_approves_with_it_and_revokes_it()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var approver = await AccountAsync(Role.ChangeApprover);
        var change = await SubmittedChangeAsync(requestor);

        await SignInAsync(Page, approver);
        await Page.GetByRole(AriaRole.Link, new() { Name = "My tokens", Exact = true }).ClickAsync();
        await Expect(Heading(Page, "My tokens")).ToBeVisibleAsync();
        await Expect(Field(Page, "Expires (UTC, optional)")).ToHaveAccessibleDescriptionAsync(new Regex(@"^Leave empty for the maximum lifetime, \d+ days: the token then expires \d{4}-"));
        var approve = Field(Page, "changes:approve");
        await Expect(approve).ToBeEnabledAsync();

        await Field(Page, "Token name").FillAsync("approvals on my laptop");
        await Field(Page, "changes:read").CheckAsync();
        await approve.CheckAsync();
        var created = await Page.RunAndWaitForResponseAsync(() => Button(Page, "Create token").ClickAsync(),
            r => r.Request.Method == "POST" && r.Url.Contains("/account/tokens", StringComparison.Ordinal));

        (await created.AllHeadersAsync())["cache-control"].ShouldContain("no-store");
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Copy this token now: it will not be shown again.");
        var secret = (await Page.Locator("#new-token").TextContentAsync())!.Trim();
        secret.ShouldStartWith("ctp_");
        var row = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "approvals on my laptop" });
        await Expect(row).ToContainTextAsync("changes:approve changes:read");
        await Expect(row.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("you");

        // The token approves over the API, as its owner.
        var token = App.As(secret);
        var approved = await token.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{change.Number}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, "Approved with the token from My tokens."));
        approved.State.ShouldBe(ChangeState.Approved);

        // Opened again, the page lists the token by its prefix and never shows the secret.
        await Page.GotoAsync("/account/tokens");
        await Expect(Page.Locator("#new-token")).ToHaveCountAsync(0);
        (await Page.ContentAsync()).ShouldNotContain(secret);
        await Expect(row).ToContainTextAsync(secret[..12]);

        await Button(Page, "Revoke token approvals on my laptop").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("The token 'approvals on my laptop' is revoked: it stopped working at once.");
        await Expect(row).ToContainTextAsync("Revoked");
        await Screenshots.SaveAsync(Page, "my-tokens");
        (await token.GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task On_another_persons_page_an_admin_cannot_tick_changes_approve_and_is_told_why()
    {
        var admin = await AccountAsync(Role.Admin);
        var approver = await AccountAsync(Role.ChangeApprover);

        await SignInAsync(Page, admin);
        await Page.GotoAsync($"/admin/users/{approver.Id}");
        await Expect(Heading(Page, approver.Name)).ToBeVisibleAsync();

        var approve = Field(Page, "changes:approve");
        await Expect(approve).ToBeDisabledAsync();
        await Expect(approve).ToHaveAccessibleDescriptionAsync(
            $"Only {approver.Name} can give a token changes:approve or findings:triage: from their own My tokens page, or changetrail login.");
        await Expect(Field(Page, "findings:triage")).ToBeDisabledAsync();
        await Expect(Field(Page, "changes:read")).ToBeEnabledAsync();
        await Expect(Field(Page, "Expires (UTC, optional)")).ToHaveAccessibleDescriptionAsync(new Regex("^Leave empty for the maximum lifetime"));
        // The token the person made for themself says so.
        await Expect(Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "browser-tests" })).ToContainTextAsync($"{approver.Name} (themself)");
        await Screenshots.SaveAsync(Page, "admin-user");
    }

    [Fact]
    public async Task An_admin_sends_an_invited_person_a_new_link_that_works_while_the_old_one_no_longer_does()
    {
        var admin = await AccountAsync(Role.Admin);
        var email = $"invited-{Scenario.Unique()}@example.test";
        var invited = await App.AsAdmin().PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, "Iris Invited", [Role.Requestor], null));

        await SignInAsync(Page, admin);
        await NavLink(Page, "Users").ClickAsync();
        var listed = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Iris Invited" });
        await Expect(listed).ToContainTextAsync("Invited");
        await listed.GetByRole(AriaRole.Link, new() { Name = "Iris Invited" }).ClickAsync();
        await Expect(Heading(Page, "Iris Invited")).ToBeVisibleAsync();

        await Button(Page, "New invitation link").ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Copy it now: it will not be shown again.");
        var link = (await Page.Locator("#invitation-link").TextContentAsync())!.Trim();
        link.ShouldNotBe(invited.InvitationUrl);

        // The old link is dead at once; the new one lets Iris choose her password and signs her in.
        var iris = await NewPageAsync();
        await iris.GotoAsync(new Uri(invited.InvitationUrl!).PathAndQuery);
        await Expect(iris.GetByRole(AriaRole.Alert)).ToContainTextAsync("This invitation link does not work");
        await iris.GotoAsync(new Uri(link).PathAndQuery);
        await Field(iris, "Your password").FillAsync(Password);
        await Field(iris, "Password again").FillAsync(Password);
        await Button(iris, "Set password and sign in").ClickAsync();
        await Expect(Heading(iris, "Dashboard")).ToBeVisibleAsync();

        await Page.GotoAsync($"/admin/users/{invited.Id}");
        await Expect(Page.GetByRole(AriaRole.Definition).Filter(new() { HasText = "Active" })).ToBeVisibleAsync();
        await Expect(Button(Page, "New invitation link")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#invitation-link")).ToHaveCountAsync(0);
        await NavLink(Page, "Users").ClickAsync();
        await Expect(listed.Locator(".badge")).ToHaveTextAsync("Active");
    }
}
