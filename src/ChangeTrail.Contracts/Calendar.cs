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
