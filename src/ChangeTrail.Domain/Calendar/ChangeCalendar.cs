using ChangeTrail.Domain.Changes;

namespace ChangeTrail.Domain.Calendar;

/// <summary>A change request's planned window, as the calendar shows it.</summary>
public sealed record PlannedChange(Guid Id, string Number, string Title, ChangeType Type, ChangeState State, IReadOnlyList<Guid> Services,
    DateTime Start, DateTime End)
{
    /// <summary>
    /// Whether the change may still happen, and so can still collide with another: not yet made, or under way. A change made,
    /// ended or dropped stays on the calendar as history.
    /// </summary>
    public bool IsOpen => State is ChangeState.Draft or ChangeState.Submitted or ChangeState.Approved or ChangeState.Implementing;

    public bool Overlaps(DateTime from, DateTime to) => from < End && to > Start;
}

/// <summary>What a change board looks for on the calendar: two open changes on one service at once, or one inside a freeze.</summary>
public enum ConflictKind
{
    /// <summary>Two open changes overlap on a service they share.</summary>
    Overlap,
    /// <summary>An open Normal or Standard change's window falls in a freeze of one of its services.</summary>
    Freeze,
}

/// <param name="Service">The service the two changes share, or the one the freeze covers (null when the freeze covers every service).</param>
public sealed record CalendarConflict(ConflictKind Kind, PlannedChange Change, Guid? Service, PlannedChange? Other, FreezeConflict? Freeze);

/// <summary>The change calendar's rules: which planned windows conflict.</summary>
public static class ChangeCalendar
{
    /// <summary>
    /// Every conflict among <paramref name="changes"/> and with <paramref name="freezes"/>: each overlapping pair once (the
    /// earlier-starting change first, on the first service they share), and each change's first freeze. An emergency is
    /// exempt from freezes (as at submission), not from overlaps: two teams on one service at once is worth a look whatever
    /// the urgency.
    /// </summary>
    public static IReadOnlyList<CalendarConflict> ConflictsOf(IReadOnlyList<PlannedChange> changes, FreezeCalendar freezes)
    {
        var open = changes.Where(c => c.IsOpen).OrderBy(c => c.Start).ThenBy(c => c.Number, StringComparer.Ordinal).ToList();
        var conflicts = new List<CalendarConflict>();
        for (var i = 0; i < open.Count; i++)
        {
            var change = open[i];
            if (change.Type != ChangeType.Emergency && freezes.FirstCovering(change.Services, change.Start, change.End) is { } freeze)
                conflicts.Add(new(ConflictKind.Freeze, change, freeze.Freeze.AppliesToEveryService ? null : freeze.Freeze.Services.First(change.Services.Contains),
                    null, freeze));
            // Sorted by start: once another starts after this one ends, so do all that follow.
            for (var j = i + 1; j < open.Count && open[j].Start < change.End; j++)
            {
                var other = open[j];
                var shared = change.Services.FirstOrDefault(other.Services.Contains);
                if (shared != Guid.Empty && other.Overlaps(change.Start, change.End))
                    conflicts.Add(new(ConflictKind.Overlap, change, shared, other, null));
            }
        }
        return conflicts;
    }
}
