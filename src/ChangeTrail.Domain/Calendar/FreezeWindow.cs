using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using Cronos;

namespace ChangeTrail.Domain.Calendar;

/// <summary>One occurrence of a freeze: from <paramref name="Start"/> (inclusive) to <paramref name="End"/> (exclusive), UTC.</summary>
public readonly record struct FreezeOccurrence(DateTime Start, DateTime End)
{
    /// <summary>Whether the period from <paramref name="from"/> to <paramref name="to"/> shares any instant with this occurrence.</summary>
    public bool Overlaps(DateTime from, DateTime to) => from < End && to > Start;
}

/// <summary>
/// A freeze (blackout) window: a period in which no planned change may be made to the services it names, or to every
/// service when it names none. It happens once, from <see cref="Start"/> to <see cref="End"/>, or recurs: each time its
/// cron <see cref="Recurrence"/> gives (UTC), for as long as the first occurrence lasted. An admin defines it; lifting it
/// keeps the record, so the calendar of any past day can still be shown as it stood.
/// </summary>
public sealed class FreezeWindow
{
    public const int NameMaxLength = 200;
    public const int RecurrenceMaxLength = 100;
    public const int MaxServices = 100;

    /// <summary>The longest a single occurrence may last: a freeze longer than a quarter is a policy, not a window.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(92);

    /// <summary>A recurring freeze repeats at most hourly: more often would make its occurrences a list no calendar can show.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromHours(1);

    private FreezeWindow() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";

    /// <summary>The first occurrence's start and end; a recurring freeze's later occurrences last as long.</summary>
    public DateTime Start { get; private set; }
    public DateTime End { get; private set; }

    /// <summary>The services frozen; empty freezes every service.</summary>
    public List<Guid> Services { get; private set; } = [];

    /// <summary>A five-field cron expression (minute hour day month weekday, UTC), or null for a one-off freeze.</summary>
    public string? Recurrence { get; private set; }
    public Guid CreatedById { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public Guid? LiftedById { get; private set; }
    public DateTime? LiftedAt { get; private set; }

    public TimeSpan Length => End - Start;
    public bool IsLifted => LiftedAt is not null;
    public bool AppliesToEveryService => Services.Count == 0;

    public static Result<FreezeWindow> Create(Guid id, string? name, DateTime? start, DateTime? end, IReadOnlyList<Guid>? services,
        string? recurrence, Actor admin, DateTime now)
    {
        if (!admin.Has(Role.Admin))
            return new RoleRequired("define a freeze window", [nameof(Role.Admin)]);
        var errors = new ValidationErrors();
        errors.Require("name", name, NameMaxLength);
        if (start is null)
            errors.Add("start", "Give the freeze's start (UTC).");
        if (end is null)
            errors.Add("end", "Give the freeze's end (UTC).");
        if (start is { } s && end is { } e)
        {
            if (e <= s)
                errors.Add("end", "The end must come after the start.");
            else if (e - s > MaxLength)
                errors.Add("end", $"One occurrence lasts at most {MaxLength.TotalDays:0} days.");
            else if (recurrence is null && e <= now)
                errors.Add("end", "This freeze would be over already.");
        }
        services ??= [];
        if (services.Count > MaxServices)
            errors.Add("services", $"At most {MaxServices} services; name none to freeze every service.");
        CronExpression? schedule = null;
        if (recurrence is not null)
        {
            errors.MaxLength("recurrence", recurrence, RecurrenceMaxLength);
            schedule = ParseRecurrence(recurrence.Trim(), errors);
        }
        if (schedule is not null && start is { } first)
            CheckRecurrence(schedule, Utc(first), errors);
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;

        return new FreezeWindow
        {
            Id = id,
            Name = name!.Trim(),
            Start = start!.Value,
            End = end!.Value,
            Services = services.Distinct().ToList(),
            Recurrence = schedule is null ? null : recurrence!.Trim(),
            CreatedById = admin.Id,
            CreatedAt = now,
        };
    }

    /// <summary>Ends the freeze's effect from now on; the record stays, with who lifted it and when.</summary>
    public Result Lift(Actor admin, DateTime now)
    {
        if (!admin.Has(Role.Admin))
            return new RoleRequired("lift a freeze window", [nameof(Role.Admin)]);
        if (IsLifted)
            return new FreezeAlreadyLifted(Name);
        LiftedById = admin.Id;
        LiftedAt = now;
        return Result.Success;
    }

    /// <summary>Whether the freeze covers a change to any of <paramref name="services"/>.</summary>
    public bool AppliesTo(IEnumerable<Guid> services) => AppliesToEveryService || services.Any(Services.Contains);

    /// <summary>
    /// The first occurrence sharing an instant with the period from <paramref name="from"/> to <paramref name="to"/>, or null.
    /// A lifted freeze has no occurrence after it was lifted.
    /// </summary>
    public FreezeOccurrence? FirstOverlap(DateTime from, DateTime to) => OccurrencesBetween(from, to).Cast<FreezeOccurrence?>().FirstOrDefault();

    /// <summary>Every occurrence sharing an instant with the period from <paramref name="from"/> to <paramref name="to"/>, in order.</summary>
    public IEnumerable<FreezeOccurrence> OccurrencesBetween(DateTime from, DateTime to)
    {
        if (LiftedAt is { } lifted && lifted < to)
            to = lifted;
        if (to <= from)
            yield break;
        if (Recurrence is null)
        {
            var once = new FreezeOccurrence(Start, End);
            if (once.Overlaps(from, to))
                yield return once;
            yield break;
        }
        // An occurrence overlapping [from, to) starts after from − length; none starts before the first.
        var earliest = from - Length > Start ? from - Length : Start;
        if (earliest >= to)
            yield break;
        foreach (var start in Schedule.GetOccurrences(Utc(earliest), Utc(to), fromInclusive: true, toInclusive: false))
        {
            var occurrence = new FreezeOccurrence(start, start + Length);
            if (occurrence.Overlaps(from, to))
                yield return occurrence;
        }
    }

    private CronExpression Schedule => CronExpression.Parse(Recurrence!, CronFormat.Standard);

    private static CronExpression? ParseRecurrence(string recurrence, ValidationErrors errors)
    {
        try
        {
            return CronExpression.Parse(recurrence, CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            errors.Add("recurrence", $"Not a five-field cron expression (minute hour day month weekday): {exception.Message}");
            return null;
        }
    }

    /// <summary>
    /// The first occurrence is the one given, so the start must be a time the recurrence gives; and occurrences must be
    /// at least <see cref="MinInterval"/> apart.
    /// </summary>
    private static void CheckRecurrence(CronExpression schedule, DateTime start, ValidationErrors errors)
    {
        var first = schedule.GetNextOccurrence(start, inclusive: true);
        if (first != start)
        {
            errors.Add("start", first is { } next
                ? $"A recurring freeze starts at a time its recurrence gives; the next one after this start is {next:yyyy-MM-dd HH:mm} UTC."
                : "The recurrence never gives a time after this start.");
            return;
        }
        var occurrences = schedule.GetOccurrences(start, start.AddDays(400), fromInclusive: true, toInclusive: false).Take(100).ToList();
        for (var i = 1; i < occurrences.Count; i++)
        {
            if (occurrences[i] - occurrences[i - 1] < MinInterval)
            {
                errors.Add("recurrence", $"Occurrences must be at least {MinInterval.TotalHours:0} hour apart.");
                return;
            }
        }
    }

    /// <summary>Cronos works in UTC and says so by the kind; every time here is UTC whatever kind the database gave it.</summary>
    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);
}

public sealed record FreezeAlreadyLifted(string Name)
    : DomainError(ErrorKind.Conflict, "freeze-already-lifted", "Already lifted", $"The freeze '{Name}' was lifted already.");
