using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>
/// GET /calendar.ics: the same calendar as GET /calendar, as an iCalendar (RFC 5545) feed a calendar application can import:
/// one event per planned change and one per freeze occurrence, each with a stable UID so a re-import updates rather than
/// duplicates. Conflicts are in the JSON calendar and the web page; a calendar application has no place for them.
/// </summary>
public static class CalendarFeed
{
    public const string ContentType = "text/calendar; charset=utf-8";

    public static void Map(RouteGroupBuilder api) =>
        // Calendar applications subscribe by URL and send no header: a read-only token may come as ?token= (see TokenInUrl).
        api.MapGet("/calendar.ics", HandleAsync).RequireAccess(Scopes.ChangesRead).AllowTokenInUrl().WithTags("Calendar").WithName(nameof(CalendarFeed))
            .WithSummary("The change calendar as an iCalendar feed: planned changes and freeze occurrences for a period")
            .Produces<string>(StatusCodes.Status200OK, ContentType);

    private static async Task<IResult> HandleAsync([AsParameters] CalendarQuery query, HttpRequest request, ChangeTrailDbContext db, Clock clock,
        CancellationToken cancellationToken)
    {
        var malformed = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var now = clock.UtcNow;
        var result = await GetCalendar.ExecuteAsync(query, db, now, malformed, cancellationToken);
        if (malformed.Count > 0)
            return DateQuery.Malformed(malformed);
        if (!result.IsSuccess)
            return Problems.From(result.Error!);
        var site = $"{request.Scheme}://{request.Host}{request.PathBase}";
        return TypedResults.Text(Write(result.Value!, site, now), ContentType);
    }

    public static string Write(CalendarView view, string site, DateTime now)
    {
        var calendar = new Ical.Net.Calendar { ProductId = "-//ChangeTrail//Change calendar//EN" };
        calendar.AddProperty("X-WR-CALNAME", "ChangeTrail change calendar");
        var stamp = new CalDateTime(DateTime.SpecifyKind(now, DateTimeKind.Utc));
        foreach (var change in view.Changes)
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"change-{change.Id}@changetrail",
                DtStamp = stamp,
                DtStart = Utc(change.Start),
                DtEnd = Utc(change.End),
                Summary = $"{change.Number} {change.Title} [{change.State}]",
                Description = $"{change.Type} change, {change.State}. Services: {string.Join(", ", change.Services.Select(view.ServiceName))}.",
                Url = new Uri($"{site}/changes/{change.Number}"),
                Status = StatusOf(change.State),
            });
        }
        foreach (var (freeze, occurrence) in view.FreezeOccurrences)
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"freeze-{freeze.Id}-{occurrence.Start:yyyyMMdd'T'HHmmss'Z'}@changetrail",
                DtStamp = stamp,
                DtStart = Utc(occurrence.Start),
                DtEnd = Utc(occurrence.End),
                Summary = $"Freeze: {freeze.Name}",
                Description = freeze.AppliesToEveryService
                    ? "No planned change to any service."
                    : $"No planned change to: {string.Join(", ", freeze.Services.Select(view.ServiceName))}.",
                Status = freeze.IsLifted ? Ical.Net.EventStatus.Cancelled : Ical.Net.EventStatus.Confirmed,
            });
        }
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CalDateTime Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>Not yet approved: tentative; dropped or refused: cancelled; otherwise it happens (or happened) as planned.</summary>
    private static string StatusOf(ChangeState state) => state switch
    {
        ChangeState.Draft or ChangeState.Submitted => Ical.Net.EventStatus.Tentative,
        ChangeState.Cancelled or ChangeState.Rejected => Ical.Net.EventStatus.Cancelled,
        _ => Ical.Net.EventStatus.Confirmed,
    };
}
