using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The calendar page's forms as only a forged or stale request sends them (a browser never shows a non-admin the freeze
/// form or a Lift button), and its query string read in words. The browser tests (CalendarPageTests there) cover what
/// people see.
/// </summary>
public abstract class CalendarPageTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Page = "/calendar";

    private DateTime Day => App.Time.GetUtcNow().UtcDateTime.Date.AddDays(5);

    private async Task<FreezeWindowResponse> FreezeAsync(string name, string service) =>
        await S.Admin.PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest(name, Day.AddHours(9), Day.AddHours(17), [service], null));

    private async Task<List<FreezeWindowResponse>> FreezesAsync() => await S.Admin.GetJsonAsync<List<FreezeWindowResponse>>("/api/v1/freeze-windows");

    private (string, string)[] FreezeForm(string name, string service) =>
    [
        ("Form.Name", name),
        ("Form.Start", Day.AddHours(8).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture)),
        ("Form.End", Day.AddHours(10).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture)),
        ("Form.Services", service),
    ];

    [Fact]
    public async Task Someone_without_the_admin_role_is_refused_defining_or_lifting_a_freeze_and_nothing_changes()
    {
        var email = $"requestor-{Scenario.Unique()}@example.test";
        await App.AddPersonAsync(email, "Rita Requestor", [Role.Requestor, Role.ChangeApprover], "requestor password 1");
        var requestor = await App.SignInAsync(email, "requestor password 1");
        var service = await S.ServiceAsync();
        var standing = await FreezeAsync($"Standing {Scenario.Unique()}", service);
        var forged = $"Forged {Scenario.Unique()}";

        // Posts with a valid antiforgery token of the requestor's own session (the sign-out form is on every page).
        var define = await requestor.PostFormAsync(Page, $"{Page}?handler=Define", FreezeForm(forged, service));
        var lift = await requestor.PostFormAsync(Page, $"{Page}?handler=Lift&id={standing.Id}");

        foreach (var response in new[] { define, lift })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var html = await response.Content.ReadAsStringAsync(Ct);
            html.ShouldContain("Not done:");
            html.ShouldContain("you need one of these roles: Admin.");
            html.ShouldNotContain("Define freeze");
        }
        var freezes = await FreezesAsync();
        freezes.ShouldNotContain(f => f.Name == forged);
        freezes.Single(f => f.Id == standing.Id).LiftedAt.ShouldBeNull();
    }

    [Fact]
    public async Task A_freeze_posted_without_the_antiforgery_token_is_refused_and_nothing_is_created()
    {
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        var service = await S.ServiceAsync();
        var name = $"No token {Scenario.Unique()}";

        var response = await admin.PostAsync($"{Page}?handler=Define",
            new FormUrlEncodedContent(FreezeForm(name, service).Select(f => KeyValuePair.Create(f.Item1, f.Item2))), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await FreezesAsync()).ShouldNotContain(f => f.Name == name);
    }

    [Fact]
    public async Task Lifting_a_freeze_a_second_time_from_a_stale_page_says_it_was_lifted_already()
    {
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        var freeze = await FreezeAsync($"Twice {Scenario.Unique()}", await S.ServiceAsync());

        var first = await admin.PostFormAsync(Page, $"{Page}?handler=Lift&id={freeze.Id}");
        var second = await admin.PostFormAsync(Page, $"{Page}?handler=Lift&id={freeze.Id}");

        first.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        first.Headers.Location!.OriginalString.ShouldBe(Page);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await second.Content.ReadAsStringAsync(Ct)).ShouldContain(HtmlEncoder.Default.Encode($"The freeze '{freeze.Name}' was lifted already."));
        (await FreezesAsync()).Single(f => f.Id == freeze.Id).LiftedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Someone_not_signed_in_is_sent_to_sign_in()
    {
        var anonymous = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await anonymous.GetAsync($"{Page}?view=week", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/login");
    }

    [Fact]
    public async Task A_date_that_is_no_date_and_a_service_that_names_none_are_said_in_words()
    {
        var admin = await App.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);

        var badDate = await admin.GetStringAsync($"{Page}?date=31-12-2026", Ct);
        var badService = await admin.GetStringAsync($"{Page}?service=no-such-service", Ct);

        badDate.ShouldContain(HtmlEncoder.Default.Encode("'31-12-2026' is not a date (yyyy-MM-dd); the calendar shows today."));
        badDate.ShouldContain(App.Time.GetUtcNow().UtcDateTime.ToString("MMMM yyyy", CultureInfo.InvariantCulture));
        badService.ShouldContain(HtmlEncoder.Default.Encode("There is no service 'no-such-service'."));
        badService.ShouldNotContain("id=\"conflicts-heading\"");
    }
}

public sealed class CalendarPageTests_Sqlite(SqliteApp app) : CalendarPageTests(app), IClassFixture<SqliteApp>;

public sealed class CalendarPageTests_Postgres(PostgresApp app) : CalendarPageTests(app), IClassFixture<PostgresApp>;
