using System.Net;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ChangeTrail.Testing;

/// <summary>
/// A browser without the browser: an HttpClient that keeps cookies, does not follow redirects, and posts
/// forms with the antiforgery token read from the page, as a person's browser would.
/// </summary>
public static partial class WebSession
{
    public const string AdminEmail = ChangeTrailApp.AdminEmail;
    public const string AdminPassword = ChangeTrailApp.AdminPassword;

    /// <summary>
    /// An Admin adds a person with a temporary password, and the person replaces it with <paramref name="ownPassword"/>,
    /// as at their first sign-in; they then sign in with it.
    /// </summary>
    public static async Task<Guid> AddPersonAsync(this ChangeTrailApp app, string email, string name, IReadOnlyList<Role> roles, string ownPassword)
    {
        var created = await app.AsAdmin().PostJsonAsync<CreatedUserResponse>("/api/v1/users",
            new CreateUserRequest(email, name, roles, Scenario.TemporaryPassword));
        await app.Anonymous().PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
            new PersonalTokenRequest(email, Scenario.TemporaryPassword, "first sign-in", [Scopes.ChangesRead], null, ownPassword));
        return created.Id;
    }

    /// <summary>
    /// Opens a one-time invitation link as the invited person's browser would, and chooses <paramref name="password"/> on
    /// its page; returns that browser, signed in.
    /// </summary>
    public static async Task<HttpClient> AcceptInvitationAsync(this ChangeTrailApp app, string invitationUrl, string password)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var page = new Uri(invitationUrl).PathAndQuery;
        var response = await browser.PostFormAsync(page, page, ("NewPassword", password), ("ConfirmPassword", password));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new Xunit.Sdk.XunitException($"The invitation {page} was not accepted: {(int)response.StatusCode}");
        return browser;
    }

    /// <summary>Signs in through the login form; fails the test if the form does not accept the credentials.</summary>
    public static async Task<HttpClient> SignInAsync(this ChangeTrailApp app, string email, string password)
    {
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await browser.PostFormAsync("/login", "/login", ("Email", email), ("Password", password));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new Xunit.Sdk.XunitException($"Sign-in as {email} failed: {(int)response.StatusCode}");
        return browser;
    }

    /// <summary>A new person holding <paramref name="roles"/>, and their browser, signed in through the login form.</summary>
    public static async Task<(Person Person, HttpClient Browser)> SignedInAsync(this Scenario s, params Role[] roles)
    {
        var person = await s.PersonAsync(roles);
        return (person, await s.App.SignInAsync(person.Email, person.Password));
    }

    /// <summary>An instant as a datetime-local field takes it, to the minute (the pages read it as UTC).</summary>
    public static string LocalInput(DateTime time) => time.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Text as a page writes it into HTML, for finding it in the page's source.</summary>
    public static string Encoded(string text) => System.Text.Encodings.Web.HtmlEncoder.Default.Encode(text);

    /// <summary>Reads the antiforgery token from the form on <paramref name="page"/>, then posts <paramref name="fields"/> to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(this HttpClient browser, string page, string action, params (string Name, string Value)[] fields)
    {
        var cancellation = Xunit.TestContext.Current.CancellationToken;
        var form = await browser.GetStringAsync(page, cancellation);
        return await browser.PostAsync(action, Form(form, fields), cancellation);
    }

    /// <summary>The form fields of a post from a <paramref name="page"/> (its HTML): <paramref name="fields"/> and the page's antiforgery token.</summary>
    public static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields)
    {
        var csrf = AntiforgeryField().Match(page);
        if (!csrf.Success)
            throw new Xunit.Sdk.XunitException("No antiforgery field on the page");
        return new FormUrlEncodedContent(
            fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).Append(KeyValuePair.Create("__csrf", csrf.Groups[1].Value)));
    }

    [GeneratedRegex(@"name=""__csrf"" type=""hidden"" value=""([^""]+)""")]
    private static partial Regex AntiforgeryField();
}
