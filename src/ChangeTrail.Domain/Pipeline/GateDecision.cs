namespace ChangeTrail.Domain.Pipeline;

/// <summary>One reason the gate gives: a stable code a pipeline can match, and a sentence a person can act on.</summary>
public sealed record GateReason(string Code, string Message);

/// <summary>A reason to deny that a policy exception the change cites lifted: the reason's code, why, and which exception (EX-3).</summary>
public sealed record GateWaiver(string Code, string Message, string Exception);

/// <summary>
/// A question put to the gate — may this commit of this service go to this environment under this change? — and its answer
/// with every reason, as the ledger records it (so an auditor can replay every answer). A record of its own that
/// references the change, never a list inside it.
/// </summary>
public sealed class GateDecision
{
    /// <summary>How the question named the change (<c>CR-12</c>, an id), kept as asked even when no change has that name.</summary>
    public const int ChangeReferenceMaxLength = 100;

    private GateDecision() { }

    public Guid Id { get; private set; }
    public Guid? ChangeRequestId { get; private set; }
    public string ChangeReference { get; private set; } = "";
    public Guid? ServiceId { get; private set; }
    public string Service { get; private set; } = "";
    public string Environment { get; private set; } = "";
    public bool Production { get; private set; }
    public string Commit { get; private set; } = "";
    public string? Artifact { get; private set; }
    public bool Allowed { get; private set; }
    public List<GateReason> Reasons { get; private set; } = [];

    /// <summary>The reasons cited policy exceptions lifted: an allow they made possible says so (policy 5).</summary>
    public List<GateWaiver> Waivers { get; private set; } = [];
    public Guid AskedById { get; private set; }

    /// <summary>The credential the question came with (<c>token:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>).</summary>
    public string? Credential { get; private set; }
    public DateTime At { get; private set; }

    /// <summary>The answer to <paramref name="question"/>: allowed exactly when no condition gave a reason to deny that no exception lifted.</summary>
    public static GateDecision Decide(Guid id, GateQuestion question, Guid? changeRequestId, Guid? serviceId, bool production,
        IReadOnlyList<GateReason> reasons, IReadOnlyList<GateWaiver> waivers, Guid askedById, string? credential, DateTime now) => new()
        {
            Id = id,
            ChangeRequestId = changeRequestId,
            ChangeReference = question.Change,
            ServiceId = serviceId,
            Service = question.Service,
            Environment = question.Environment,
            Production = production,
            Commit = question.Commit.ToLowerInvariant(),
            Artifact = question.Artifact,
            Allowed = reasons.Count == 0,
            Reasons = reasons.ToList(),
            Waivers = waivers.ToList(),
            AskedById = askedById,
            Credential = credential,
            At = now,
        };

    /// <summary>
    /// Whether this decision lets <paramref name="deployerId"/> start deploying <paramref name="commit"/> of
    /// <paramref name="serviceId"/> to <paramref name="environment"/> under <paramref name="changeRequestId"/> at
    /// <paramref name="now"/>: an allow, for exactly that question, asked by the same identity, not yet stale.
    /// </summary>
    public bool Permits(Guid changeRequestId, Guid serviceId, string environment, string commit, Guid deployerId, DateTime now, TimeSpan validFor) =>
        Allowed && ChangeRequestId == changeRequestId && ServiceId == serviceId && AskedById == deployerId &&
        string.Equals(Environment, environment, StringComparison.OrdinalIgnoreCase) &&
        Changes.CommitRef.SameCommit(Commit, commit) && now >= At && now - At <= validFor;
}

/// <summary>What a pipeline asks the gate.</summary>
public sealed record GateQuestion(string Change, string Service, string Environment, string Commit, string? Artifact);
