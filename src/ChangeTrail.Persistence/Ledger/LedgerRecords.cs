using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>An action to record, queued on the context and appended when it saves.</summary>
public sealed record LedgerAction(DateTime At, Guid ActorId, string Action, string SubjectType, string SubjectId, string Record);

/// <summary>
/// One leaf of the append-only log: who did what to which record, when, and the record as it stood
/// afterwards. <see cref="LeafHash"/> is RFC 9162's leaf hash of <see cref="LedgerLeaf.Bytes"/>; anyone can
/// recompute it from the other columns.
/// </summary>
public sealed class LedgerEntry
{
    public long Index { get; set; }
    public DateTime At { get; set; }
    public Guid ActorId { get; set; }
    public string Action { get; set; } = "";
    public string SubjectType { get; set; } = "";
    public string SubjectId { get; set; } = "";

    /// <summary>
    /// The subject's canonical JSON after the action; null once the retention purge removed it. The leaf hash
    /// stays, so the tree, its checkpoints and every proof still hold, and the purge's own entry names it.
    /// </summary>
    public string? Record { get; set; }

    public byte[] LeafHash { get; set; } = [];

    public bool IsPurged => Record is null;

    /// <summary>The leaf hash recomputed from the other columns: differs from <see cref="LeafHash"/> if anything was edited.</summary>
    /// <exception cref="InvalidOperationException">The entry was purged: only its stored leaf hash remains.</exception>
    public Hash32 ComputeLeafHash() =>
        LedgerLeaf.Hash(At, ActorId, Action, SubjectType, SubjectId, Record ?? throw new InvalidOperationException($"Entry {Index} was purged."));
}

/// <summary>
/// The hash of a perfect (power-of-two, aligned) subtree of two leaves or more (level 1 and up; a leaf's hash,
/// level 0, is its entry's <see cref="LedgerEntry.LeafHash"/>). Stored by <see cref="LedgerIntegrator"/> as the
/// log grows, so roots and proofs read O(log n) rows instead of rehashing every leaf.
/// </summary>
public sealed class LedgerNode
{
    public int Level { get; set; }
    public long Index { get; set; }
    public byte[] Hash { get; set; } = [];
}

/// <summary>The log's size. Appends lock and advance this one row, so the database, not any process, orders the log.</summary>
public sealed class LedgerHead
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public long Size { get; set; }
}

/// <summary>
/// How far the stored nodes reach: every perfect subtree within the first <see cref="Size"/> entries has its
/// <see cref="LedgerNode"/>. <see cref="LedgerIntegrator"/> locks this row while it extends the tree, apart
/// from <see cref="LedgerHead"/>, so building the tree never holds up an append.
/// </summary>
public sealed class LedgerTree
{
    public const int SingletonId = 1;
    public int Id { get; set; } = SingletonId;
    public long Size { get; set; }
}
