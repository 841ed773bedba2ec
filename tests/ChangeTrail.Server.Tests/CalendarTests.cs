using System.Globalization;
using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// GET /calendar and GET /calendar.ics through HTTP: planned windows, freeze occurrences and conflicts for a period. Each test
/// reads the calendar of its own services, so the tests of the class, which share a database, do not see each other's.
/// </summary>
public abstract class CalendarTests(ChangeTrailApp app) : ProviderTests(app)
{
    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private static string Day(DateTime time) => time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private string Period(string service, int days = 3) => $"from={Day(Now)}&to={Day(Now.AddDays(days))}&service={service}";

    private async Task<FreezeWindowResponse> FreezeAsync(string name, DateTime start, DateTime end, string service, string? recurrence = null) =>
        await S.Admin.PostJsonAsync<FreezeWindowResponse>("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest(name, start, end, [service], recurrence));

    [Fact]
    public async Task Two_open_changes_on_one_service_at_once_are_an_overlap_and_a_cancelled_one_is_history()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var first = await requestor.CreateAsync(S.CompleteChange(service));
        var second = await requestor.CreateAsync(S.CompleteChange(service) with { PlannedStart = first.PlannedStart!.Value.AddHours(1) });
        var cancelled = await requestor.CreateAsync(S.CompleteChange(service));
        await requestor.ActAsync(cancelled.Number, "cancel", new NotesRequest(null, "Not needed"));
        // Another service's change at the same time is no conflict.
        await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));

        var calendar = await S.Admin.GetJsonAsync<CalendarResponse>($"/api/v1/calendar?{Period(service)}");

        calendar.Changes.Select(c => c.Number).ShouldBe([first.Number, cancelled.Number, second.Number], ignoreOrder: true);
        calendar.Changes.Single(c => c.Number == cancelled.Number).State.ShouldBe("Cancelled");
        var overlap = calendar.Conflicts.ShouldHaveSingleItem();
        overlap.Kind.ShouldBe("overlap");
        (overlap.Change, overlap.Other).ShouldBe((first.Number, second.Number));
        overlap.Service.ShouldBe(service);
        overlap.Message.ShouldContain($"{first.Number} and {second.Number} both change {service}");
        calendar.From.ShouldBe(Now.Date);
        calendar.To.ShouldBe(Now.Date.AddDays(4), "both dates are included");
        calendar.Truncated.ShouldBeFalse();
    }

    [Fact]
    public async Task A_change_inside_a_freeze_is_a_conflict_naming_it_and_the_freeze_occurrence_is_listed()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        var freeze = await FreezeAsync("Release freeze", draft.PlannedStart!.Value.AddMinutes(30), draft.PlannedEnd!.Value.AddHours(1), service);

        var calendar = await S.Admin.GetJsonAsync<CalendarResponse>($"/api/v1/calendar?{Period(service)}");

        var occurrence = calendar.Freezes.ShouldHaveSingleItem();
        (occurrence.Id, occurrence.Name, occurrence.Start, occurrence.Lifted).ShouldBe((freeze.Id, "Release freeze", freeze.Start, false));
        occurrence.Services.ShouldBe([service]);
        var conflict = calendar.Conflicts.ShouldHaveSingleItem();
        (conflict.Kind, conflict.Change, conflict.FreezeId, conflict.Freeze).ShouldBe(("freeze", draft.Number, freeze.Id, "Release freeze"));
        conflict.Message.ShouldContain("'Release freeze'");
    }

    [Fact]
    public async Task A_weekly_freeze_shows_each_occurrence_in_the_period()
    {
        var service = await S.ServiceAsync();
        var first = Now.Date.AddDays(1).AddHours(18);
        var cron = $"0 18 * * {(int)first.DayOfWeek}";
        await FreezeAsync("Weekly release train", first, first.AddHours(12), service, cron);

        var calendar = await S.Admin.GetJsonAsync<CalendarResponse>($"/api/v1/calendar?from={Day(Now)}&to={Day(Now.AddDays(27))}&service={service}");

        calendar.Freezes.Select(f => f.Start).ShouldBe([first, first.AddDays(7), first.AddDays(14), first.AddDays(21)]);
        calendar.Freezes.ShouldAllBe(f => f.End - f.Start == TimeSpan.FromHours(12));
    }

    [Fact]
    public async Task A_period_that_is_no_period_is_refused_naming_the_parameter()
    {
        var service = await S.ServiceAsync();
        (await S.Admin.GetAsync("/api/v1/calendar?from=2026-13-01").ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request"))
            .Errors!.Keys.ShouldBe(["from"]);
        (await S.Admin.GetAsync("/api/v1/calendar?from=2026-03-02&to=2026-03-01").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity,
            "validation-failed")).Errors!.Keys.ShouldBe(["to"]);
        (await S.Admin.GetAsync("/api/v1/calendar?from=2026-01-01&to=2027-01-02").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity,
            "validation-failed")).Errors!["to"].ShouldHaveSingleItem().ShouldContain("366");
        (await S.Admin.GetAsync("/api/v1/calendar?service=no-such-service").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity,
            "validation-failed")).Errors!.Keys.ShouldBe(["service"]);
        (await S.Admin.GetAsync($"/api/v1/calendar.ics?from=tomorrow&service={service}").ShouldBeProblemAsync(HttpStatusCode.BadRequest,
            "malformed-request")).Errors!.Keys.ShouldBe(["from"]);
    }

    [Fact]
    public async Task The_ics_feed_holds_each_change_and_freeze_occurrence_as_an_event_a_calendar_parser_reads()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        var freeze = await FreezeAsync("Holiday freeze", draft.PlannedEnd!.Value.AddHours(1), draft.PlannedEnd!.Value.AddHours(3), service);

        var response = await S.Admin.GetAsync($"/api/v1/calendar.ics?{Period(service)}");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/calendar");
        var calendar = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync(Ct))!;
        calendar.Events.Count.ShouldBe(2);
        var change = calendar.Events.Single(e => e.Uid == $"change-{draft.Id}@changetrail");
        change.Summary.ShouldStartWith($"{draft.Number} ");
        change.DtStart!.AsUtc.ShouldBe(draft.PlannedStart!.Value);
        change.DtEnd!.AsUtc.ShouldBe(draft.PlannedEnd!.Value);
        change.Status.ShouldBe(Ical.Net.EventStatus.Tentative, "a draft is not approved yet");
        change.Url!.AbsolutePath.ShouldBe($"/changes/{draft.Number}");
        var frozen = calendar.Events.Single(e => e.Summary == "Freeze: Holiday freeze");
        frozen.Uid.ShouldStartWith($"freeze-{freeze.Id}-");
        frozen.DtStart!.AsUtc.ShouldBe(freeze.Start);
        frozen.Description!.ShouldContain(service);
    }

    [Fact]
    public async Task A_calendar_application_subscribes_with_a_read_only_token_in_the_url_and_no_other_token_or_endpoint_takes_one_there()
    {
        var service = await S.ServiceAsync();
        var person = await S.PersonAsync(Role.Requestor);
        var draft = await person.CreateAsync(S.CompleteChange(service));
        var readOnly = await person.Client.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("Calendar subscription", [Scopes.ChangesRead], null));
        var calendarApp = App.Anonymous();
        var feedUrl = $"/api/v1/calendar.ics?{Period(service)}&token={readOnly.Token}";

        var feed = await calendarApp.GetAsync(feedUrl);
        feed.StatusCode.ShouldBe(HttpStatusCode.OK);
        Ical.Net.Calendar.Load(await feed.Content.ReadAsStringAsync(Ct))!.Events.ShouldContain(e => e.Uid == $"change-{draft.Id}@changetrail");

        // The person's everyday token may write: in a URL it is refused, though the header takes it.
        var broad = await calendarApp.GetAsync($"/api/v1/calendar.ics?{Period(service)}&token={person.Token}")
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        broad.Detail!.ShouldContain($"only the {Scopes.ChangesRead} scope");
        (await person.Client.GetAsync($"/api/v1/calendar.ics?{Period(service)}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Only the feed reads a token from the URL; the JSON calendar wants the header.
        (await calendarApp.GetAsync($"/api/v1/calendar?{Period(service)}&token={readOnly.Token}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await calendarApp.GetAsync($"/api/v1/calendar.ics?{Period(service)}&token=not-a-token")
            .ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated")).Detail!.ShouldContain("The token in the URL is malformed");

        // Revoking the token ends the subscription at once.
        (await person.Client.Http.DeleteAsync($"/api/v1/tokens/{readOnly.Id}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await calendarApp.GetAsync(feedUrl).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated")).Detail!.ShouldContain("revoked");
    }
}

public sealed class CalendarTests_Sqlite(SqliteApp app) : CalendarTests(app), IClassFixture<SqliteApp>;

public sealed class CalendarTests_Postgres(PostgresApp app) : CalendarTests(app), IClassFixture<PostgresApp>;
