using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Per-client rate limits on the calls that guess or mint credentials: past the limit a client is answered 429 with
/// Retry-After (problem+json for the API, a page in words for the browser), and other clients are not affected.
/// </summary>
public sealed class RateLimitTests(RateLimitTests.LimitedApp app) : IClassFixture<RateLimitTests.LimitedApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_sign_ins_past_the_limit_are_429_with_retry_after_for_that_client_only()
    {
        const string guesser = "203.0.113.21";
        var attempt = new PersonalTokenRequest("nobody@example.test", "a guess", "x", [Scopes.ChangesRead], null);

        for (var i = 0; i < LimitedApp.SignInLimit; i++)
            (await Post("/api/v1/auth/tokens", attempt, guesser)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var limited = await Post("/api/v1/auth/tokens", attempt, guesser);

        var problem = await ApiClient.ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        problem.Type.ShouldBe("/problems/rate-limited");
        int.Parse(limited.Headers.GetValues("Retry-After").Single()).ShouldBeInRange(1, 60);
        (await Post("/api/v1/auth/tokens", attempt, "198.51.100.5")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "another client is not limited");
    }

    [Fact]
    public async Task The_sign_in_page_refuses_a_flood_of_posts_in_words_and_still_shows_its_form()
    {
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.Add(TestPeer.Header, "203.0.113.22");
        HttpResponseMessage last = null!;
        for (var i = 0; i <= LimitedApp.SignInLimit; i++)
            last = await browser.PostFormAsync("/login", "/login", ("Email", "nobody@example.test"), ("Password", "a guess"));

        last.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        last.Headers.RetryAfter.ShouldNotBeNull();
        (await last.Content.ReadAsStringAsync(Ct)).ShouldContain("Too many attempts");
        (await browser.GetAsync("/login", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "showing the form is not an attempt");
    }

    [Fact]
    public async Task Setup_and_token_creation_are_limited_too()
    {
        const string client = "203.0.113.23";
        var setup = new SetupRequest("x@example.test", "X", "a long enough password", "wrong code");
        for (var i = 0; i < LimitedApp.SetupLimit; i++)
            (await Post("/api/v1/setup", setup, client)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Post("/api/v1/setup", setup, client)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        var mint = new CreateTokenRequest("ci", [Scopes.ChangesRead], null);
        for (var i = 0; i < LimitedApp.TokensLimit; i++)
            (await Post($"/api/v1/users/{app.AdminId}/tokens", mint, client, app.AdminToken)).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await Post($"/api/v1/users/{app.AdminId}/tokens", mint, client, app.AdminToken)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    private Task<HttpResponseMessage> Post(string path, object body, string client, string? token = null) =>
        (token is null ? app.Anonymous() : app.As(token)).PostAsync(path, body, new Dictionary<string, string> { [TestPeer.Header] = client });

    /// <summary>A server with small limits, whose clients the tests name.</summary>
    public sealed class LimitedApp() : ChangeTrailApp(TestProvider.Sqlite)
    {
        public const int SignInLimit = 3;
        public const int SetupLimit = 2;
        public const int TokensLimit = 2;

        protected override void ConfigureTestServices(IWebHostBuilder builder)
        {
            builder.UseSetting("ChangeTrail:RateLimits:SignIn:PermitLimit", SignInLimit.ToString());
            builder.UseSetting("ChangeTrail:RateLimits:Setup:PermitLimit", SetupLimit.ToString());
            builder.UseSetting("ChangeTrail:RateLimits:Tokens:PermitLimit", TokensLimit.ToString());
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestPeer>());
        }
    }
}
