using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>Signing in and out, lockout, and the headers every page carries.</summary>
public sealed class SessionTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    [Fact]
    public async Task Wrong_password_is_refused_with_one_message_and_the_visitor_stays_out()
    {
        var person = await AccountAsync(Role.Requestor);

        await SignInAsync(Page, person.Email, "not the password at all");

        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync(RefusedSignIn);
        await Expect(Page).ToHaveURLAsync(LoginUrl());
        await Page.GotoAsync("/changes");
        await Expect(Page).ToHaveURLAsync(LoginUrl());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_this_browser_out_even_against_the_right_one_without_saying_so()
    {
        var person = await AccountAsync(Role.Requestor);
        var unknown = $"nobody-{Scenario.Unique()}@example.test";
        await SignInAsync(Page, unknown, "whatever it is");
        var answer = await Page.GetByRole(AriaRole.Alert).TextContentAsync();

        for (var attempt = 1; attempt <= 5; attempt++)
            await SignInAsync(Page, person.Email, $"wrong password number {attempt}");
        await SignInAsync(Page, person);

        // Locked out, and told exactly what an unknown address or a wrong password is told: a guesser learns nothing.
        await Expect(Page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(answer!);
        await Expect(Page).ToHaveURLAsync(LoginUrl());
    }

    private const string RefusedSignIn = "The email or password is wrong, or this account cannot sign in now.";

    [Fact]
    public async Task Sign_out_ends_the_session_and_its_cookie_no_longer_works()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var scenario = new Scenario(App);
        var change = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes",
            scenario.CompleteChange(await scenario.ServiceAsync()));
        var changeUrl = $"/changes/{change.Number}";

        await SignInAsync(Page, requestor);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        await Page.GotoAsync(changeUrl);
        await Expect(Page.Locator("h1")).ToContainTextAsync(change.Number);
        var sessionCookies = await Page.Context.CookiesAsync();
        sessionCookies.ShouldContain(c => c.Name == "changetrail.session");

        await SignOutAsync(Page);
        await Page.GotoAsync(changeUrl);
        await Expect(Page).ToHaveURLAsync(LoginUrl());

        // Someone who copied the cookie before sign-out cannot use it afterwards.
        var replay = await NewPageAsync(sessionCookies.Select(c => new Cookie
        {
            Name = c.Name,
            Value = c.Value,
            Domain = c.Domain,
            Path = c.Path,
            HttpOnly = c.HttpOnly,
            Secure = c.Secure,
            SameSite = c.SameSite,
        }));
        await replay.GotoAsync(changeUrl);
        await Expect(replay).ToHaveURLAsync(LoginUrl());
    }

    [Fact]
    public async Task Pages_carry_the_security_headers()
    {
        var admin = new Account(App.AdminId, "admin@example.test", "First Admin", "a long enough password", App.AsAdmin());

        var login = await Page.GotoAsync("/login");
        AssertSecurityHeaders(await login!.AllHeadersAsync());

        await SignInAsync(Page, admin);
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        var dashboard = await Page.GotoAsync("/");
        AssertSecurityHeaders(await dashboard!.AllHeadersAsync());
    }

    [Fact]
    public async Task The_header_shows_each_person_the_links_their_roles_allow()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var admin = await AccountAsync(Role.Admin);
        var nav = Page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });

        await SignInAsync(Page, requestor);
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Changes", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "New change", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true })).ToHaveCountAsync(0);
        await SignOutAsync(Page);

        await SignInAsync(Page, admin);
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Service accounts", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Services", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "Retention", Exact = true })).ToBeVisibleAsync();
        await Expect(nav.GetByRole(AriaRole.Link, new() { Name = "New change", Exact = true })).ToHaveCountAsync(0);
    }

    private static void AssertSecurityHeaders(Dictionary<string, string> headers)
    {
        headers.ShouldContainKey("content-security-policy");
        var directives = headers["content-security-policy"].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.Split(' ', 2))
            .ToDictionary(d => d[0], d => d.Length > 1 ? d[1] : "");
        directives.ShouldContainKey("script-src");
        directives["script-src"].ShouldNotContain("'unsafe-inline'");
        directives["script-src"].ShouldNotContain("'unsafe-eval'");
        directives.ShouldContainKey("frame-ancestors");
        directives["frame-ancestors"].ShouldBe("'none'");
        headers.ShouldContainKey("x-content-type-options");
        headers["x-content-type-options"].ShouldBe("nosniff");
        headers.ShouldContainKey("referrer-policy");
        headers["referrer-policy"].ShouldNotBeNullOrWhiteSpace();
    }
}
