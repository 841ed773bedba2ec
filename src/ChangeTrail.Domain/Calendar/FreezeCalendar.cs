using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Calendar;

/// <summary>A freeze that covers a moment or a period: the window and the occurrence of it in question.</summary>
public sealed record FreezeConflict(FreezeWindow Freeze, FreezeOccurrence Occurrence)
{
    public string Describe() => $"the freeze '{Freeze.Name}' ({Occurrence.Start:yyyy-MM-dd HH:mm} to {Occurrence.End:yyyy-MM-dd HH:mm} UTC)";
}

/// <summary>
/// The freeze windows in force, as read for one decision: which of them, if any, covers a period of work on some services.
/// A lifted freeze covers nothing from the moment it was lifted.
/// </summary>
public sealed class FreezeCalendar(IReadOnlyList<FreezeWindow> freezes)
{
    /// <summary>No freeze at all: for callers that decide without the database (the domain's own tests, seeding).</summary>
    public static readonly FreezeCalendar None = new([]);

    public IReadOnlyList<FreezeWindow> Freezes { get; } = freezes;

    /// <summary>The first freeze, in start order, that covers work on any of <paramref name="services"/> from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public FreezeConflict? FirstCovering(IReadOnlyCollection<Guid> services, DateTime from, DateTime to) =>
        Freezes.Where(f => f.AppliesTo(services))
            .Select(f => f.FirstOverlap(from, to) is { } occurrence ? new FreezeConflict(f, occurrence) : null)
            .Where(c => c is not null)
            .OrderBy(c => c!.Occurrence.Start)
            .FirstOrDefault();

    /// <summary>The freeze covering a deployment of <paramref name="service"/> at <paramref name="now"/>, if any.</summary>
    public FreezeConflict? Covering(Guid service, DateTime now) => FirstCovering([service], now, now.AddTicks(1));
}

/// <summary>A planned window that falls in a freeze: refused with the freeze named, so the requestor knows where to move it.</summary>
public sealed record InsideFreeze(string Change, FreezeConflict Conflict)
    : DomainError(ErrorKind.Unprocessable, FreezeWindowCode, "Inside a freeze window",
        $"{Change}'s planned window falls in {Conflict.Describe()}. Plan it outside the freeze, or cite an approved exception to the freeze-window control."), IFieldErrors
{
    /// <summary>The problem type and the gate's reason code alike.</summary>
    public const string FreezeWindowCode = "freeze-window";

    public IReadOnlyDictionary<string, string[]> FieldErrors => new Dictionary<string, string[]>
    {
        ["plannedStart"] = [$"The window overlaps {Conflict.Describe()}."],
        ["plannedEnd"] = [$"The window overlaps {Conflict.Describe()}."],
    };
}
