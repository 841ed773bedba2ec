namespace ChangeTrail.Domain.Changes;

/// <summary>One line of a change request's timeline: who did what, when.</summary>
public sealed class ChangeEvent
{
    private ChangeEvent() { }

    internal ChangeEvent(Guid changeRequestId, int version, Guid actorId, string action, string? detail, DateTime at)
    {
        Id = Guid.NewGuid();
        ChangeRequestId = changeRequestId;
        Version = version;
        ActorId = actorId;
        Action = action;
        Detail = detail;
        At = at;
    }

    public Guid Id { get; private set; }
    public Guid ChangeRequestId { get; private set; }

    /// <summary>The change request's version after this event: orders the timeline, even within one instant.</summary>
    public int Version { get; private set; }
    public Guid ActorId { get; private set; }
    public string Action { get; private set; } = "";
    public string? Detail { get; private set; }
    public DateTime At { get; private set; }
}
