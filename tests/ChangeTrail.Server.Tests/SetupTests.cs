using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>First run: setup needs the one-time code, validates its input, and works once.</summary>
public abstract class SetupTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Setup_refuses_a_wrong_code_and_bad_input_then_creates_the_first_admin_once()
    {
        var anonymous = App.Anonymous();
        await anonymous.PostAsync("/api/v1/setup", new SetupRequest("boss@example.test", "Boss", "a long enough password", "guess"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "invalid-setup-code");

        var invalid = await anonymous.PostAsync("/api/v1/setup", new SetupRequest("not an email", "", "short", ChangeTrailApp.SetupCode))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        invalid.Errors!.Keys.Order().ShouldBe(["displayName", "email"]);
        var weak = await anonymous.PostAsync("/api/v1/setup", new SetupRequest("boss@example.test", "Boss", "short", ChangeTrailApp.SetupCode))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        weak.Errors!.Keys.ShouldBe(["password"]);

        var setup = await anonymous.PostJsonAsync<SetupResponse>("/api/v1/setup",
            new SetupRequest("boss@example.test", "Boss", "a long enough password", ChangeTrailApp.SetupCode));
        var users = await App.As(setup.Token).GetJsonAsync<List<UserResponse>>("/api/v1/users");
        users.Single().Roles.ShouldBe([Domain.Identity.Role.Admin]);

        await anonymous.PostAsync("/api/v1/setup", new SetupRequest("two@example.test", "Two", "a long enough password", ChangeTrailApp.SetupCode))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "setup-already-done");
    }
}

/// <summary>First run through the page: the administrator is signed in, and that sign-in is a ledger entry like any other.</summary>
public abstract class SetupPageTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task The_setup_pages_sign_in_is_recorded_in_the_ledger()
    {
        var browser = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var done = await browser.PostFormAsync("/setup", "/setup", ("Form.SetupCode", ChangeTrailApp.SetupCode), ("Form.Email", "first@example.test"),
            ("Form.DisplayName", "First"), ("Form.Password", "a long enough password"));
        done.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await browser.GetAsync("/changes", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK, "signed in");

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.ChangeTrailDbContext>();
        var admin = await db.Users.SingleAsync(Ct);
        var session = await db.LedgerEntries.Where(e => e.SubjectType == Persistence.Ledger.LedgerSubjects.Session.Type).SingleAsync(Ct);
        session.Action.ShouldBe("session.signed-in");
        session.ActorId.ShouldBe(admin.Id);
        session.Record!.ShouldContain("\"method\":\"setup\"");
    }
}

/// <summary>Several first-run setups at once: the fixed-key installation row lets exactly one through.</summary>
public abstract class SetupRaceTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Racing_setups_create_exactly_one_admin()
    {
        var anonymous = App.Anonymous();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => anonymous.PostAsync("/api/v1/setup",
            new SetupRequest($"racer{i}@example.test", $"Racer {i}", "a long enough password", ChangeTrailApp.SetupCode))));

        var winners = attempts.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        winners.Count.ShouldBe(1);
        attempts.Except(winners).ShouldAllBe(r => r.StatusCode == HttpStatusCode.Conflict);
        var token = (await ApiClient.ReadAsync<SetupResponse>(winners[0])).Token;
        (await App.As(token).GetJsonAsync<List<UserResponse>>("/api/v1/users")).Count.ShouldBe(1);
    }
}

public sealed class SetupTests_Sqlite(UnsetSqliteApp app) : SetupTests(app), IClassFixture<UnsetSqliteApp>;

public sealed class SetupTests_Postgres(UnsetPostgresApp app) : SetupTests(app), IClassFixture<UnsetPostgresApp>;

public sealed class SetupRaceTests_Sqlite(UnsetSqliteApp app) : SetupRaceTests(app), IClassFixture<UnsetSqliteApp>;

public sealed class SetupRaceTests_Postgres(UnsetPostgresApp app) : SetupRaceTests(app), IClassFixture<UnsetPostgresApp>;

public sealed class SetupPageTests_Sqlite(UnsetSqliteApp app) : SetupPageTests(app), IClassFixture<UnsetSqliteApp>;

public sealed class SetupPageTests_Postgres(UnsetPostgresApp app) : SetupPageTests(app), IClassFixture<UnsetPostgresApp>;
