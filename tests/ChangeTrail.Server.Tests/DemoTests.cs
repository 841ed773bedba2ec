using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.Dashboard;
using ChangeTrail.Server.Features.Demo;
using ChangeTrail.Server.Features.Policy;
using ChangeTrail.Server.Features.PolicyExceptions;
using ChangeTrail.Server.Features.Templates;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>--demo: a sample organisation, made through the real use cases, into an empty database only.</summary>
public abstract class DemoTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Demo_data_fills_an_empty_database_with_every_state_and_role_then_refuses_to_run_again()
    {
        var seeded = await DemoData.SeedAsync(App.Services, Ct);
        seeded.Error.ShouldBeNull();
        var summary = seeded.Value!;

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<Clock>().UtcNow;

        var states = await db.ChangeRequests.Select(c => c.State).Distinct().ToListAsync(Ct);
        states.Order().ShouldBe(Enum.GetValues<ChangeState>());
        (await db.ChangeRequests.CountAsync(Ct)).ShouldBe(summary.Changes);
        summary.Changes.ShouldBeInRange(20, 40);

        var roles = await db.Roles.Where(r => db.UserRoles.Any(ur => ur.RoleId == r.Id)).Select(r => r.Name!).ToListAsync(Ct);
        roles.Select(Enum.Parse<Role>).Order().ShouldBe(Enum.GetValues<Role>());
        (await db.Users.CountAsync(u => u.IsServiceAccount, Ct)).ShouldBe(1);

        var services = await db.Services.ToListAsync(Ct);
        services.Count.ShouldBeInRange(4, 5);
        services.Single(s => s.Name == "payments").RegulatedData.ShouldBeTrue();
        services.Single(s => s.Name == "identity").SecurityControl.ShouldBeTrue();

        // Ten weeks of history, none of it in the future, and numbers in the order the changes were made.
        var changes = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().OrderBy(c => c.Number)
            .Select(c => new { c.Number, c.CreatedAt, c.UpdatedAt }).ToListAsync(Ct);
        changes.Min(c => c.CreatedAt).ShouldBeLessThan(now.AddDays(-60));
        changes.ShouldAllBe(c => c.UpdatedAt <= now);
        changes.Select(c => c.CreatedAt).ShouldBeInOrder();

        // Every person signs in with the documented password.
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (var person in DemoData.People)
            (await users.CheckPasswordAsync((await users.FindByEmailAsync(person.Email))!, DemoData.Password)).ShouldBeTrue(person.Email);

        // What the dashboard shows an approver: something to decide, and an overdue emergency.
        var alan = DemoData.People.First(p => p.Roles.SequenceEqual([Role.ChangeApprover]));
        var alanId = (await users.FindByEmailAsync(alan.Email))!.Id;
        var dashboard = await GetDashboard.ExecuteAsync(new Actor(alanId, alan.Email, false, alan.Roles.ToHashSet()), db,
            scope.ServiceProvider.GetRequiredService<Clock>(), scope.ServiceProvider.GetRequiredService<RiskQuestionnaire>(), Ct);
        dashboard.WaitingForMyApproval.ShouldNotBeEmpty();
        dashboard.ScheduledSoon.ShouldNotBeEmpty();
        dashboard.EmergenciesWithDeadlines[0].DocumentationOverdue.ShouldBeTrue();
        dashboard.Weeks.Count(w => w.Total > 0).ShouldBeGreaterThanOrEqualTo(8);

        // The policy in force, a published Standard template, the holiday freeze ahead, and an exception to it in force: each
        // page of the product has something to show.
        var questionnaire = scope.ServiceProvider.GetRequiredService<RiskQuestionnaire>();
        var policy = await PolicyView.BuildAsync(db, now, Ct);
        policy.InForce.ShouldNotBeNull().Text.ShouldContain("## 5. Exceptions");
        policy.NextReviewDue.ShouldNotBeNull().ShouldBeGreaterThan(now);
        var templates = (await ListTemplates.ExecuteAsync(null, db, questionnaire, now, Ct)).Value!;
        templates.ShouldHaveSingleItem().Status.ShouldBe(TemplateStatus.Published);
        var freeze = await db.FreezeWindows.AsNoTracking().SingleAsync(Ct);
        freeze.Start.ShouldBeGreaterThan(now, "ahead, so the calendar shows it");
        (await db.ChangeRequests.AsNoTracking().Where(c => c.PlannedEnd > freeze.Start && c.PlannedStart < freeze.End).CountAsync(Ct))
            .ShouldBe(0, "no demo change was planned into it");
        var exceptions = (await ListPolicyExceptions.ExecuteAsync(null, db, now, Ct)).Value!;
        var waiver = exceptions.ShouldHaveSingleItem();
        waiver.Status.ShouldBe(PolicyExceptionStatus.Approved);
        waiver.ExpiresAt.ShouldBe(freeze.End);

        var again = await DemoData.SeedAsync(App.Services, Ct);
        again.Error.ShouldBeOfType<DemoNeedsEmptyDatabase>().Users.ShouldBe(DemoData.People.Count + 1);
        (await db.ChangeRequests.CountAsync(Ct)).ShouldBe(summary.Changes);
    }
}

/// <summary>A database that has been set up is never touched by --demo.</summary>
public abstract class DemoRefusalTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Demo_data_is_refused_on_a_database_that_has_users()
    {
        var result = await DemoData.SeedAsync(App.Services, Ct);

        result.Error.ShouldBeOfType<DemoNeedsEmptyDatabase>().Detail.ShouldContain("empty database");
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        (await db.Users.CountAsync(Ct)).ShouldBe(1);
        (await db.ChangeRequests.CountAsync(Ct)).ShouldBe(0);
        (await db.Services.CountAsync(Ct)).ShouldBe(0);
    }
}

public sealed class DemoTests_Sqlite(UnsetSqliteApp app) : DemoTests(app), IClassFixture<UnsetSqliteApp>;

public sealed class DemoTests_Postgres(UnsetPostgresApp app) : DemoTests(app), IClassFixture<UnsetPostgresApp>;

public sealed class DemoRefusalTests_Sqlite(SqliteApp app) : DemoRefusalTests(app), IClassFixture<SqliteApp>;

public sealed class DemoRefusalTests_Postgres(PostgresApp app) : DemoRefusalTests(app), IClassFixture<PostgresApp>;

/// <summary>The switch is taken out of the arguments, or the command-line configuration would swallow the next one.</summary>
public sealed class DemoSwitchTests
{
    [Fact]
    public void The_demo_switch_is_removed_from_the_arguments_so_the_next_one_keeps_its_meaning()
    {
        string[] args = ["--demo", "--urls", "http://127.0.0.1:5192"];
        DemoData.TakeSwitch(ref args).ShouldBeTrue();
        args.ShouldBe(["--urls", "http://127.0.0.1:5192"]);

        string[] plain = ["--urls", "http://127.0.0.1:5080"];
        DemoData.TakeSwitch(ref plain).ShouldBeFalse();
        plain.ShouldBe(["--urls", "http://127.0.0.1:5080"]);
    }
}
