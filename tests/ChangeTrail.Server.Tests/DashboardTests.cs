using System.Net;
using System.Text.RegularExpressions;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Dashboard;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>The dashboard's query, with data made through the API, and the page behind a real sign-in.</summary>
public abstract partial class DashboardTests(ChangeTrailApp app) : ProviderTests(app)
{
    private static readonly string[] Headings =
    [
        "Waiting for my approval", "My drafts", "Scheduled in the next 7 days", "Emergency changes with deadlines open",
        "Changes by state", "Changes per week by type",
    ];

    [Fact]
    public async Task An_approver_sees_a_submitted_change_they_may_approve_and_its_requestor_does_not_even_holding_the_approver_role()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.ChangeApprover);
        var approver = await S.PersonAsync(Role.ChangeApprover);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        await requestor.ActAsync(change.Number, "submit");

        (await DashboardOfAsync(approver, Role.ChangeApprover)).WaitingForMyApproval.Select(c => c.DisplayNumber).ShouldContain(change.Number);
        var own = await DashboardOfAsync(requestor, Role.Requestor, Role.ChangeApprover);
        own.ViewerCanApprove.ShouldBeTrue();
        own.WaitingForMyApproval.ShouldNotContain(c => c.DisplayNumber == change.Number, "nobody approves their own change");

        // Approved, it leaves the list and, planned for tomorrow, shows as scheduled.
        await approver.ApproveAsync(change.Number);
        var after = await DashboardOfAsync(approver, Role.ChangeApprover);
        after.WaitingForMyApproval.ShouldNotContain(c => c.DisplayNumber == change.Number);
        var scheduled = after.ScheduledSoon.Where(c => c.DisplayNumber == change.Number).ShouldHaveSingleItem();
        scheduled.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task The_requestor_sees_their_drafts_and_nobody_else_sees_them()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var colleague = await S.PersonAsync(Role.Requestor);
        var draft = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));

        var mine = await DashboardOfAsync(requestor, Role.Requestor);
        mine.MyDrafts.Select(c => c.DisplayNumber).ShouldBe([draft.Number]);
        mine.MyDrafts[0].Title.ShouldBe(draft.Title);
        mine.ViewerCanApprove.ShouldBeFalse();
        mine.WaitingForMyApproval.ShouldBeEmpty();
        (await DashboardOfAsync(colleague, Role.Requestor)).MyDrafts.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_emergency_undocumented_25_hours_after_its_start_is_listed_first_as_overdue()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var approver = await S.PersonAsync(Role.ChangeApprover);
        var service = await S.ServiceAsync();
        var documented = await requestor.CreateAsync(S.CompleteChange(service, type: "Emergency") with
        {
            EmergencyJustification = "Checkout is down for every customer.",
        });
        var undocumented = await requestor.CreateAsync(S.CompleteChange(service, type: "Emergency") with
        {
            RollbackPlan = null,
            EmergencyJustification = "Sign-in is down for every customer.",
        });
        await requestor.ActAsync(documented.Number, "start");
        await requestor.ActAsync(undocumented.Number, "start");

        // Within the 24 hours: listed, not overdue; only the documented one can take its approval yet.
        var early = await DashboardOfAsync(approver, Role.ChangeApprover);
        early.EmergenciesWithDeadlines.Where(c => c.DisplayNumber == documented.Number || c.DisplayNumber == undocumented.Number)
            .ShouldAllBe(c => !c.DocumentationOverdue);
        early.WaitingForMyApproval.Select(c => c.DisplayNumber).ShouldContain(documented.Number);
        early.WaitingForMyApproval.Select(c => c.DisplayNumber).ShouldNotContain(undocumented.Number);
        await approver.ApproveAsync(documented.Number);

        App.Time.Advance(TimeSpan.FromHours(25));
        var due = (await DashboardOfAsync(approver, Role.ChangeApprover)).EmergenciesWithDeadlines;
        var overdue = due.Where(c => c.DisplayNumber == undocumented.Number).ShouldHaveSingleItem();
        overdue.DocumentationOverdue.ShouldBeTrue();
        overdue.DocumentationDueAt.ShouldNotBeNull();
        due.Where(c => c.DisplayNumber == documented.Number).ShouldHaveSingleItem().DocumentationOverdue.ShouldBeFalse("documented and approved in time");
        due.TakeWhile(c => c.DocumentationOverdue).ShouldContain(overdue, "overdue ones come first");
    }

    [Fact]
    public async Task Weekly_counts_by_type_and_counts_by_state_match_the_changes_created()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var service = await S.ServiceAsync();
        var before = await DashboardOfAsync(requestor, Role.Requestor);
        before.Weeks.Count.ShouldBe(GetDashboard.WeeksShown);
        var week = before.Weeks[^1];
        week.Monday.DayOfWeek.ShouldBe(DayOfWeek.Monday);

        await requestor.CreateAsync(S.CompleteChange(service));
        await requestor.CreateAsync(S.CompleteChange(service));
        await requestor.CreateAsync(S.CompleteChange(service, type: "Emergency") with { EmergencyJustification = "Down." });
        App.Time.Advance(TimeSpan.FromDays(7));
        await requestor.CreateAsync(S.CompleteChange(service));

        var after = await DashboardOfAsync(requestor, Role.Requestor);
        after.Weeks.Count.ShouldBe(GetDashboard.WeeksShown);
        var previous = after.Weeks[^2];
        previous.Monday.ShouldBe(week.Monday);
        previous.IsoWeek.ShouldBe(week.IsoWeek);
        previous.Of(ChangeType.Normal).ShouldBe(week.Of(ChangeType.Normal) + 2);
        previous.Of(ChangeType.Emergency).ShouldBe(week.Of(ChangeType.Emergency) + 1);
        previous.Of(ChangeType.Standard).ShouldBe(week.Of(ChangeType.Standard));
        var current = after.Weeks[^1];
        current.Monday.ShouldBe(week.Monday.AddDays(7));
        (current.Of(ChangeType.Normal), current.Of(ChangeType.Emergency), current.Of(ChangeType.Standard)).ShouldBe((1, 0, 0));

        int Drafts(DashboardView d) => d.ByState.Single(s => s.State == ChangeState.Draft).Count;
        Drafts(after).ShouldBe(Drafts(before) + 4);
        after.ByState.Select(s => s.State).ShouldBe(Enum.GetValues<ChangeState>());
    }

    [Fact]
    public async Task The_dashboard_page_needs_a_sign_in_and_then_shows_every_section()
    {
        var anonymous = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var refused = await anonymous.GetAsync("/", Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        refused.Headers.Location!.AbsolutePath.ShouldBe("/login");

        var browser = App.CreateClient();
        var form = await browser.GetStringAsync("/login", Ct);
        var token = AntiforgeryField().Match(form).Groups[1].Value;
        token.ShouldNotBeNullOrEmpty();
        var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "admin@example.test",
            ["Password"] = "a long enough password",
            ["__csrf"] = token,
        }), Ct);
        signedIn.StatusCode.ShouldBe(HttpStatusCode.OK);
        signedIn.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe("/");

        var page = await browser.GetAsync("/", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync(Ct);
        foreach (var heading in Headings)
            html.ShouldContain($">{heading}</h2>");
        html.ShouldContain("<svg class=\"chart\" role=\"img\" aria-labelledby=\"per-week-title\"");
        html.ShouldContain("<title id=\"per-week-title\">");
        html.ShouldContain("Nothing waiting for you");
        html.ShouldNotContain("style=", Case.Insensitive, "the content security policy forbids inline style");
    }

    private async Task<DashboardView> DashboardOfAsync(Person person, params Role[] roles)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        return await GetDashboard.ExecuteAsync(new Actor(person.Id, person.Email, false, roles.ToHashSet()),
            services.GetRequiredService<ChangeTrailDbContext>(), services.GetRequiredService<Clock>(),
            services.GetRequiredService<RiskQuestionnaire>(), Ct);
    }

    [GeneratedRegex("name=\"__csrf\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

public sealed class DashboardTests_Sqlite(SqliteApp app) : DashboardTests(app), IClassFixture<SqliteApp>;

public sealed class DashboardTests_Postgres(PostgresApp app) : DashboardTests(app), IClassFixture<PostgresApp>;
