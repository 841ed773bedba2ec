using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>The calendar's period and filter, as the query string gives them: dates (<c>yyyy-MM-dd</c>), both days included.</summary>
public sealed record CalendarQuery(string? From, string? To, string? Service);

/// <summary>The calendar for a period: what is planned, what is frozen, and what collides.</summary>
public sealed record CalendarView(DateTime From, DateTime To, IReadOnlyList<PlannedChange> Changes, IReadOnlyList<FreezeWindow> Freezes,
    IReadOnlyList<CalendarConflict> Conflicts, IReadOnlyDictionary<Guid, string> ServiceNames, bool Truncated)
{
    public string ServiceName(Guid id) => ServiceNames.GetValueOrDefault(id, "(unknown)");

    /// <summary>Each freeze's occurrences in the period, in start order.</summary>
    public IEnumerable<(FreezeWindow Freeze, FreezeOccurrence Occurrence)> FreezeOccurrences =>
        Freezes.SelectMany(f => f.OccurrencesBetween(From, To).Select(o => (f, o))).OrderBy(x => x.o.Start);
}

/// <summary>
/// GET /calendar?from=&amp;to=&amp;service=: the change calendar every change board works from. Planned windows of changes,
/// the freezes' occurrences (lifted ones until they were lifted), and the conflicts: two open changes on one service at
/// once, or one inside a freeze. The web calendar and the iCalendar feed read the same view.
/// </summary>
public static class GetCalendar
{
    /// <summary>The longest period one answer covers.</summary>
    public const int MaxDays = 366;

    /// <summary>The most planned changes one answer lists; beyond, the earliest are listed and the answer says it is truncated.</summary>
    public const int MaxChanges = 2000;

    /// <summary>Without <c>from</c>: today; without <c>to</c>: four weeks on.</summary>
    public const int DefaultDays = 28;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/calendar", HandleAsync).RequireAccess(Scopes.ChangesRead).WithTags("Calendar").WithName(nameof(GetCalendar))
            .WithSummary("Planned changes, freeze windows and conflicts for a period (both dates included)");

    private static async Task<Results<Ok<CalendarResponse>, ProblemHttpResult>> HandleAsync([AsParameters] CalendarQuery query,
        ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var malformed = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var result = await ExecuteAsync(query, db, clock.UtcNow, malformed, cancellationToken);
        if (malformed.Count > 0)
            return DateQuery.Malformed(malformed);
        return result.IsSuccess ? TypedResults.Ok(ResponseOf(result.Value!)) : Problems.From(result.Error!);
    }

    /// <summary>The calendar, or why not: dates that are no dates are added to <paramref name="malformed"/> (a 400), the rest is a 422.</summary>
    public static async Task<Result<CalendarView>> ExecuteAsync(CalendarQuery query, ChangeTrailDbContext db, DateTime now,
        Dictionary<string, string[]> malformed, CancellationToken cancellationToken)
    {
        var fromDate = DateQuery.Read("from", query.From, malformed) ?? DateOnly.FromDateTime(now);
        var toDate = DateQuery.Read("to", query.To, malformed) ?? fromDate.AddDays(DefaultDays - 1);
        if (malformed.Count > 0)
            return new ValidationFailed(malformed);
        var errors = new ValidationErrors();
        if (toDate < fromDate)
            errors.Add("to", $"Before 'from' ({DateQuery.Text(fromDate)}): the period would end before it starts.");
        else if (toDate.DayNumber - fromDate.DayNumber + 1 > MaxDays)
            errors.Add("to", $"At most {MaxDays} days from 'from'.");
        var serviceId = await ServiceReferences.FilterAsync(db, query.Service, errors, cancellationToken);
        if (errors.Any)
            return errors.ToResult().Error!;

        var from = fromDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = toDate.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var planned = db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes()
            .Where(c => c.PlannedStart != null && c.PlannedEnd != null && c.PlannedStart < to && c.PlannedEnd > from);
        if (serviceId is { } only)
            planned = planned.Where(c => c.Services.Contains(only));
        var rows = await planned.OrderBy(c => c.PlannedStart).ThenBy(c => c.Number).Take(MaxChanges + 1)
            .Select(c => new { c.Id, c.Number, c.Title, c.Type, c.State, c.Services, Start = c.PlannedStart!.Value, End = c.PlannedEnd!.Value })
            .ToListAsync(cancellationToken);
        var changes = rows.Take(MaxChanges)
            .Select(c => new PlannedChange(c.Id, $"CR-{c.Number}", c.Title, c.Type, c.State, c.Services, c.Start, c.End)).ToList();

        // Lifted freezes too: the calendar of a past day shows them as they stood until they were lifted.
        var freezes = (await db.FreezeWindows.AsNoTracking().OrderBy(f => f.Start).ToListAsync(cancellationToken))
            .Where(f => serviceId is not { } id || f.AppliesTo([id]))
            .Where(f => f.FirstOverlap(from, to) is not null)
            .ToList();
        var conflicts = ChangeCalendar.ConflictsOf(changes, new FreezeCalendar(freezes));

        var serviceIds = changes.SelectMany(c => c.Services).Concat(freezes.SelectMany(f => f.Services)).Distinct().ToList();
        var names = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        return new CalendarView(from, to, changes, freezes, conflicts, names, rows.Count > MaxChanges);
    }

    public static CalendarResponse ResponseOf(CalendarView view) => new(view.From, view.To,
        view.Changes.Select(c => new CalendarChangeDto(c.Id, c.Number, c.Title, c.Type.ToString(), c.State.ToString(),
            c.Services.Select(view.ServiceName).ToList(), c.Start, c.End)).ToList(),
        view.FreezeOccurrences.Select(x => new CalendarFreezeDto(x.Freeze.Id, x.Freeze.Name, x.Freeze.Services.Select(view.ServiceName).ToList(),
            x.Occurrence.Start, x.Occurrence.End, x.Freeze.IsLifted)).ToList(),
        view.Conflicts.Select(c => ConflictOf(view, c)).ToList(),
        view.Truncated);

    /// <summary>A conflict as the API and the web calendar word it.</summary>
    public static CalendarConflictDto ConflictOf(CalendarView view, CalendarConflict c)
    {
        var service = c.Service is { } id ? view.ServiceName(id) : null;
        return c.Kind switch
        {
            ConflictKind.Overlap => new("overlap", c.Change.Number, c.Other!.Number, null, null, service,
                $"{c.Change.Number} and {c.Other.Number} both change {service} from {Later(c.Change.Start, c.Other.Start):yyyy-MM-dd HH:mm} UTC."),
            _ => new("freeze", c.Change.Number, null, c.Freeze!.Freeze.Id, c.Freeze.Freeze.Name, service,
                $"{c.Change.Number}'s window falls in {c.Freeze.Describe()}."),
        };
    }

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;
}
