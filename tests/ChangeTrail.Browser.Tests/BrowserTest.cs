using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>Someone who signs in with a password; <see cref="Api"/> acts as them through a token.</summary>
public sealed record Account(Guid Id, string Email, string Name, string Password, ApiClient Api);

/// <summary>
/// A test with its own browser context and page on the class's shared server and browser. Locators are
/// accessible ones (label, role and name), so every test also checks that the page is labelled.
/// </summary>
public abstract partial class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    public const string Password = "correct horse battery staple";

    private readonly List<IBrowserContext> _contexts = [];

    static BrowserTest() => SetDefaultExpectTimeout(10_000);

    protected BrowserFixture Fixture { get; } = fixture;

    protected KestrelApp App => Fixture.App;

    protected IPage Page { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Page = await NewPageAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
            await context.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A page in a new context: another person at another browser, sharing no cookies.</summary>
    protected async Task<IPage> NewPageAsync(IEnumerable<Cookie>? cookies = null)
    {
        var context = await Fixture.NewContextAsync();
        _contexts.Add(context);
        if (cookies is not null)
            await context.AddCookiesAsync(cookies);
        return await context.NewPageAsync();
    }

    protected static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

    protected static ILocator Field(IPage page, string label) => page.GetByLabel(label, new() { Exact = true });

    protected static ILocator Heading(IPage page, string name) => page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true, Level = 1 });

    protected static ILocator NavLink(IPage page, string name) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    /// <summary>The change's state, the first state badge on its page (the approvals table has badges of its own).</summary>
    protected static ILocator StateBadge(IPage page) => page.Locator("main .badge[class*='state-']").First;

    /// <summary>"Edit" on a change: a link to the edit form, or a button.</summary>
    protected static ILocator EditControl(IPage page) =>
        page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).Or(page.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true }));

    protected static async Task SignInAsync(IPage page, Account account) => await SignInAsync(page, account.Email, account.Password);

    protected static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/login");
        await Field(page, "Email").FillAsync(email);
        await Field(page, "Password").FillAsync(password);
        await Button(page, "Sign in").ClickAsync();
    }

    protected static async Task SignOutAsync(IPage page)
    {
        await Button(page, "Sign out").ClickAsync();
        await Expect(page).ToHaveURLAsync(LoginUrl());
    }

    /// <summary>/login, with or without a return URL.</summary>
    protected static Regex LoginUrl() => LoginPattern();

    /// <summary>
    /// A person with these roles and a password of their own: the first admin adds them with a temporary one, which they
    /// replace as they get their own API token.
    /// </summary>
    protected async Task<Account> AccountAsync(params Role[] roles)
    {
        var unique = Scenario.Unique();
        var email = $"{string.Join('-', roles.Select(r => r.ToString().ToLowerInvariant()))}-{unique}@example.test";
        var name = $"{roles[0]} {unique}";
        var created = await App.AsAdmin().PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, name, roles, Scenario.TemporaryPassword));
        var token = await App.Anonymous().PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
            new PersonalTokenRequest(email, Scenario.TemporaryPassword, "browser-tests", Scenario.PersonScopes, null, Password));
        return new Account(created.Id, email, name, Password, App.As(token.Token));
    }

    /// <summary>A complete change on a new service, submitted through the API by <paramref name="requestor"/>.</summary>
    protected async Task<ChangeResponse> SubmittedChangeAsync(Account requestor)
    {
        var scenario = new Scenario(App);
        var draft = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes", scenario.CompleteChange(await scenario.ServiceAsync()));
        return await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{draft.Number}/submit");
    }

    [GeneratedRegex(@"/login(\?.*)?$")]
    private static partial Regex LoginPattern();
}
