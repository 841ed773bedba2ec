namespace ChangeTrail.Contracts;

// The ledger's read API (docs/ledger.md). Hashes are 64 lowercase hexadecimal digits. Instants are
// strings in LedgerLeaf.InstantFormat, exactly as the leaf hashes them, so a verifier rebuilds each
// leaf from these members without reparsing a date.

/// <summary>
/// One leaf of the log. <see cref="Record"/> is the subject's canonical JSON as a string, byte for byte as hashed;
/// null once the retention purge removed it, when only <see cref="LeafHash"/> remains (docs/ledger.md, "Retention").
/// </summary>
public sealed record LedgerEntryDto(
    long Index,
    string At,
    Guid ActorId,
    string Action,
    string SubjectType,
    string SubjectId,
    string? Record,
    string LeafHash);

/// <summary>GET /ledger/entries: a run of entries from <c>from</c>, and the log's size when they were read.</summary>
public sealed record LedgerEntriesResponse(long TreeSize, IReadOnlyList<LedgerEntryDto> Entries);

/// <summary>GET /ledger/proofs/inclusion: RFC 9162 §2.1.3 audit path of leaf <see cref="Index"/> in the tree of <see cref="TreeSize"/> leaves.</summary>
public sealed record InclusionProofResponse(long Index, long TreeSize, string LeafHash, string RootHash, IReadOnlyList<string> Proof);

/// <summary>GET /ledger/proofs/consistency: RFC 9162 §2.1.4 proof that the tree of <see cref="From"/> leaves is a prefix of the tree of <see cref="To"/>.</summary>
public sealed record ConsistencyProofResponse(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Proof);

/// <summary>A record's current state, serialised as its ledger entries serialise it.</summary>
public sealed record LedgerRecordDto(string SubjectType, string SubjectId, string Record);

/// <summary>GET /ledger/records: a page of current records; pass <see cref="Next"/> as <c>after</c> for the next page, null at the end.</summary>
public sealed record LedgerRecordsResponse(IReadOnlyList<LedgerRecordDto> Records, string? Next);

/// <summary>An entry about one change request, with its inclusion proof in the checkpointed tree, or null when appended after it.</summary>
public sealed record ChangeLedgerEntryDto(
    long Index,
    string At,
    Guid ActorId,
    string Action,
    string SubjectType,
    string SubjectId,
    string? Record,
    string LeafHash,
    IReadOnlyList<string>? InclusionProof);

/// <summary>GET /changes/{idOrNumber}/ledger: the change's entries, proved against the latest checkpoint (its size and root).</summary>
public sealed record ChangeLedgerResponse(long TreeSize, string RootHash, IReadOnlyList<ChangeLedgerEntryDto> Entries);
