using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Auth;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// No credential outlives its maker (issue 9, the fourth attack): a token made with a token never expires after it, every
/// token expires within the maximum lifetime however it was made, and setup's token after 30 days.
/// </summary>
public abstract class TokenLifetimeTests(TokenLifetimeTests.CappedApp app) : ProviderTests(app)
{
    /// <summary>The maximum lifetime these tests run with (the product's default).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);

    [Fact]
    public async Task A_token_made_with_a_token_expiring_in_an_hour_expires_with_it_and_cannot_ask_for_longer()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var now = App.Time.GetUtcNow().UtcDateTime;
        var shortLived = App.As(await S.OwnTokenAsync(person, [Scopes.ChangesRead, Scopes.ChangesWrite], now.AddHours(1)));

        var child = await shortLived.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens", new CreateTokenRequest("child", [Scopes.ChangesRead], null));
        child.ExpiresAt.ShouldNotBeNull().ShouldBe(now.AddHours(1), TimeSpan.FromSeconds(1));
        var longer = await shortLived.PostAsync($"/api/v1/users/{person.Id}/tokens", new CreateTokenRequest("forever", [Scopes.ChangesRead], now.AddYears(5)))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        longer.Errors!.Keys.ShouldBe(["expiresAt"]);

        App.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await App.As(child.Token).GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await shortLived.GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Every_token_expires_within_the_maximum_lifetime_even_one_stored_without_an_expiry()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var now = App.Time.GetUtcNow().UtcDateTime;
        var issued = await App.Anonymous().PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
            new PersonalTokenRequest(person.Email, person.Password, "no expiry asked", [Scopes.ChangesRead], null));
        issued.ExpiresAt.ShouldNotBeNull().ShouldBe(now + MaxLifetime, TimeSpan.FromSeconds(1));
        await App.Anonymous().PostAsync("/api/v1/auth/tokens",
                new PersonalTokenRequest(person.Email, person.Password, "too long", [Scopes.ChangesRead], now.AddDays(400)))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");

        // A token stored before the cap existed, without an expiry.
        var legacy = await S.PlantTokenAsync(person.Id, [Scopes.ChangesRead], person.Id, expiresAt: null);
        (await App.As(legacy).GetAsync("/api/v1/changes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        App.Time.Advance(MaxLifetime + TimeSpan.FromSeconds(1));
        await App.As(legacy).GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await App.As(issued.Token).GetAsync("/api/v1/changes").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task The_setup_token_expires_after_30_days()
    {
        await using var fresh = new CappedApp(App.Provider, setUp: false);
        await fresh.InitializeAsync();
        var setup = await fresh.Anonymous().PostJsonAsync<SetupResponse>("/api/v1/setup",
            new SetupRequest("first@example.test", "First", "a long enough password", ChangeTrailApp.SetupCode));
        var admin = fresh.As(setup.Token);
        var listed = (await admin.GetJsonAsync<List<UserResponse>>("/api/v1/users")).Single().Tokens.Single();
        listed.ExpiresAt.ShouldNotBeNull().ShouldBe(fresh.Time.GetUtcNow().UtcDateTime.AddDays(30), TimeSpan.FromSeconds(1));

        fresh.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        (await admin.GetAsync("/api/v1/users")).StatusCode.ShouldBe(HttpStatusCode.OK);
        fresh.Time.Advance(TimeSpan.FromSeconds(2));
        await admin.GetAsync("/api/v1/users").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    /// <summary>A server with the product's maximum lifetime (the shared test servers raise it, as their clocks travel years).</summary>
    public class CappedApp(TestProvider provider, bool setUp = true) : ChangeTrailApp(provider)
    {
        protected override bool SetUpOnStart => setUp;

        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.UseSetting("ChangeTrail:Tokens:MaxLifetime", MaxLifetime.ToString("c"));
    }

    public sealed class SqliteCappedApp() : CappedApp(TestProvider.Sqlite);

    public sealed class PostgresCappedApp() : CappedApp(TestProvider.Postgres);
}

public sealed class TokenLifetimeTests_Sqlite(TokenLifetimeTests.SqliteCappedApp app) : TokenLifetimeTests(app), IClassFixture<TokenLifetimeTests.SqliteCappedApp>;

public sealed class TokenLifetimeTests_Postgres(TokenLifetimeTests.PostgresCappedApp app) : TokenLifetimeTests(app), IClassFixture<TokenLifetimeTests.PostgresCappedApp>;
