using System.Text.Json.Serialization;

namespace ChangeTrail.Contracts;

/// <summary>
/// The body of POST /freeze-windows. Times are UTC. Services are named by id or name; none freezes every service. A
/// recurrence is a five-field cron expression (UTC); each occurrence lasts as long as the first, from start to end.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateFreezeWindowRequest(string? Name, DateTime? Start, DateTime? End, IReadOnlyList<string>? Services, string? Recurrence);

/// <summary>One occurrence of a freeze, UTC, the end exclusive.</summary>
public sealed record FreezeOccurrenceDto(DateTime Start, DateTime End);

/// <summary>
/// A freeze window. <c>services</c> is empty when it freezes every service. <c>current</c> is the occurrence in force now,
/// or the next one to come, or null when it has none left (over, or lifted).
/// </summary>
public sealed record FreezeWindowResponse(
    Guid Id,
    string Name,
    DateTime Start,
    DateTime End,
    IReadOnlyList<ServiceRef> Services,
    string? Recurrence,
    PersonRef CreatedBy,
    DateTime CreatedAt,
    PersonRef? LiftedBy,
    DateTime? LiftedAt,
    FreezeOccurrenceDto? Current);

/// <summary>GET /calendar: the period shown, the changes planned in it, the freezes' occurrences in it, and the conflicts.</summary>
/// <param name="Truncated">True when the period holds more planned changes than one answer lists (<c>changes</c> has the earliest).</param>
public sealed record CalendarResponse(
    DateTime From,
    DateTime To,
    IReadOnlyList<CalendarChangeDto> Changes,
    IReadOnlyList<CalendarFreezeDto> Freezes,
    IReadOnlyList<CalendarConflictDto> Conflicts,
    bool Truncated);

/// <summary>A change's planned window; its services by name.</summary>
public sealed record CalendarChangeDto(Guid Id, string Number, string Title, string Type, string State, IReadOnlyList<string> Services,
    DateTime Start, DateTime End);

/// <summary>One occurrence of a freeze; <c>services</c> is empty when it freezes every service.</summary>
public sealed record CalendarFreezeDto(Guid Id, string Name, IReadOnlyList<string> Services, DateTime Start, DateTime End, bool Lifted);

/// <summary>
/// A conflict: <c>overlap</c> (two open changes on one service at once: <c>change</c> and <c>other</c>) or <c>freeze</c> (an
/// open change's window in a freeze: <c>freeze</c> names it). <c>service</c> is the service concerned (null: a freeze of every
/// service).
/// </summary>
public sealed record CalendarConflictDto(string Kind, string Change, string? Other, Guid? FreezeId, string? Freeze, string? Service, string Message);
