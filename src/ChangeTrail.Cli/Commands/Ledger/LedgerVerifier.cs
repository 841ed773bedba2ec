using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChangeTrail.Cli.Output;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Ledger.Checkpoints;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>Where the key that verified the checkpoint came from: only <see cref="Given"/> makes the verification independent of the server.</summary>
internal enum KeyTrust
{
    /// <summary>From the user: <c>--public-key</c>, <c>--public-key-file</c> or the environment.</summary>
    Given,

    /// <summary>Published by the source itself and trusted on first use: proves internal consistency only.</summary>
    FirstUse,

    /// <summary>The key the source published when it was first verified, remembered in the state file.</summary>
    Remembered,
}

/// <summary>A checkpoint whose signature verified, with the state it must be consistent with.</summary>
internal sealed record TrustedCheckpoint(Checkpoint Checkpoint, NoteVerifier SignedBy, KeyTrust Trust, LedgerStateEntry? Prior);

/// <summary>
/// The verification of one ledger, written once for every <see cref="ILedgerSource"/>. In order: the checkpoint's
/// signature; every entry's leaf hash recomputed from its contents and the indexes contiguous from 0; the root of
/// the signed size; consistency with the checkpoint verified last time; every current record against its latest
/// entry. The first disagreement is thrown as a <see cref="LedgerMismatchException"/> naming the entry or record.
/// </summary>
internal sealed class LedgerVerifier(ILedgerSource source, LedgerState state)
{
    // What the log says each subject looked like last: its latest entry and the SHA-256 of that entry's record,
    // so memory stays small however large the records are.
    private readonly Dictionary<(string Type, string Id), (long Index, Hash32 Record, bool Purge)> _latest = [];

    // Roots of the log at the sizes of the checkpoints the user holds, as the entries give them.
    private readonly Dictionary<long, Hash32> _rootsAt = [];
    private IReadOnlyList<HeldCheckpoint> _held = [];
    private readonly CompactRange _range = new();

    // Entries whose record is gone, until a later purge entry accounts for each of them.
    private readonly Dictionary<long, LedgerEntryDto> _unaccountedPurges = [];
    private IAsyncEnumerator<LedgerEntryDto>? _entries;
    private bool _exhausted;

    /// <summary>What the run has established so far; reported with <c>--json</c> whether it succeeds or not.</summary>
    public LedgerReport Report { get; } = new();

    /// <summary>Warnings the user must see (a key trusted only because the source published it), in order.</summary>
    public List<string> Warnings => Report.Warnings;

    /// <summary>
    /// Reads the checkpoint and verifies its signature with <paramref name="givenKeys"/>, or, when the user gave none,
    /// with the source's own key (trust on first use, with a warning), remembered in the state from then on.
    /// </summary>
    public async Task<TrustedCheckpoint> OpenCheckpointAsync(IReadOnlyList<NoteVerifier>? givenKeys, CancellationToken cancellationToken)
    {
        var note = await source.CheckpointAsync(cancellationToken);
        Report.Source = source.Description;
        if (source.CheckpointRemark is { } remark)
            Warnings.Add(remark);

        IReadOnlyList<NoteVerifier> keys;
        KeyTrust trust;
        string? expectedOrigin = null;
        if (givenKeys is { Count: > 0 })
        {
            keys = givenKeys;
            trust = KeyTrust.Given;
        }
        else
        {
            (keys, trust, expectedOrigin) = await SourceKeysAsync(note, cancellationToken);
        }

        var opened = CheckpointNote.Open(note, expectedOrigin, keys);
        if (!opened.IsSuccess)
            throw new LedgerMismatchException(CheckpointFailure(opened.Error!.Value, opened.Detail, keys));

        var checkpoint = opened.Value.Checkpoint;
        var signedBy = opened.Value.SignedBy;
        Report.Origin = checkpoint.Origin;
        Report.TreeSize = checkpoint.TreeSize;
        Report.RootHash = Convert.ToHexStringLower(checkpoint.RootHash);
        Report.VerifierKey = signedBy.VerifierKey;
        Report.KeyTrust = trust;
        // A server is known by its address; a bundle has none, so its log is known by the origin it signs.
        var prior = source.IsOffline ? state.LatestOf(checkpoint.Origin) : state.Find(source.StateSource, checkpoint.Origin);
        return new TrustedCheckpoint(checkpoint, signedBy, trust, prior);
    }

    /// <summary>
    /// Opens the signed checkpoints the user holds (<c>--checkpoint</c>: a witness's copy, an earlier export's), each with
    /// the keys this run trusts; a note that does not verify, or is of another log, fails the run naming its file.
    /// </summary>
    public IReadOnlyList<HeldCheckpoint> OpenHeld(IReadOnlyList<(string Name, string Note)> notes, TrustedCheckpoint trusted,
        IReadOnlyList<NoteVerifier>? givenKeys)
    {
        var keys = givenKeys is { Count: > 0 } ? givenKeys : [trusted.SignedBy];
        var held = new List<HeldCheckpoint>();
        foreach (var (name, note) in notes)
        {
            var opened = CheckpointNote.Open(note, trusted.Checkpoint.Origin, keys);
            if (!opened.IsSuccess)
            {
                var why = CheckpointFailure(opened.Error!.Value, opened.Detail, keys);
                throw new LedgerMismatchException(new LedgerFailure("held-checkpoint-" + why.Kind["checkpoint-".Length..],
                    $"the checkpoint you hold in {name} cannot be trusted: {why.Message}"));
            }
            held.Add(new HeldCheckpoint(name, opened.Value.Checkpoint));
        }
        Report.HeldCheckpoints = held.Select(h => new HeldReport(h.Name, h.Checkpoint.TreeSize, Convert.ToHexStringLower(h.Checkpoint.RootHash))).ToList();
        return held;
    }

    /// <summary>
    /// Checks the entries, the root, consistency with <see cref="TrustedCheckpoint.Prior"/> and with every checkpoint in
    /// <paramref name="held"/>, and the records: each equal to its latest entry, and none missing.
    /// </summary>
    public async Task CheckAsync(TrustedCheckpoint trusted, IReadOnlyList<HeldCheckpoint> held, IVerifyProgress progress,
        CancellationToken cancellationToken)
    {
        _held = held;
        foreach (var empty in held.Where(h => h.Checkpoint.TreeSize == 0))
            _rootsAt[0] = MerkleHash.Empty;
        var size = trusted.Checkpoint.TreeSize;
        var signedRoot = Hash32.FromBytes(trusted.Checkpoint.RootHash);
        var prior = trusted.Prior;
        Hash32? priorRoot = null;
        if (prior is not null)
        {
            if (!Hash32.TryFromHex(prior.RootHash, out var root))
            {
                throw new LedgerSourceException(ExitCodes.UsageOrConnection,
                    $"the ledger state file {state.Path} holds a root that is not 64 hexadecimal digits; fix or delete it.");
            }
            priorRoot = root;
        }

        try
        {
            _entries = source.EntriesAsync(0, cancellationToken).GetAsyncEnumerator(cancellationToken);

            // The signed part of the log, then whatever was appended after the checkpoint (unsigned, but the records'
            // latest entries may be there).
            Hash32? priorRootFromEntries = prior is { TreeSize: 0 } ? MerkleHash.Empty : null;
            if (size == 0)
                CompareRoot(signedRoot);
            while (_range.Size < size && await NextEntryAsync(cancellationToken))
            {
                if (prior is not null && _range.Size == prior.TreeSize)
                    priorRootFromEntries = _range.RootHash();
                if (_range.Size == size)
                    CompareRoot(signedRoot);
                if ((_range.Size & 0xFF) == 0 || _range.Size == size)
                    progress.Entries(_range.Size, size);
            }
            if (_range.Size < size)
                throw Truncated(size);
            Report.EntriesChecked = size;

            while (await NextEntryAsync(cancellationToken))
            {
            }
            Report.EntriesAfterCheckpoint = _range.Size - size;
            progress.Entries(_range.Size, size);
            CheckPurgesAccountedFor();

            if (prior is not null)
                await CheckConsistencyAsync(prior, priorRoot!.Value, priorRootFromEntries, size, signedRoot, cancellationToken);

            await CheckRecordsAsync(progress, cancellationToken);
            CheckPurgesAccountedFor(); // again: reading on for the records may have met more
            CheckHeld();
        }
        finally
        {
            if (_entries is not null)
                await _entries.DisposeAsync();
        }
    }

    /// <summary>The state entry to save once everything verified, or null when this checkpoint is older than the one remembered.</summary>
    public LedgerStateEntry? NewState(TrustedCheckpoint trusted, DateTime now) =>
        trusted.Prior is { } prior && prior.TreeSize > trusted.Checkpoint.TreeSize
            ? null
            : new LedgerStateEntry(source.StateSource, trusted.Checkpoint.Origin, trusted.Checkpoint.TreeSize,
                Convert.ToHexStringLower(trusted.Checkpoint.RootHash), trusted.SignedBy.VerifierKey, now);

    private async Task<(IReadOnlyList<NoteVerifier> Keys, KeyTrust Trust, string? Origin)> SourceKeysAsync(string note,
        CancellationToken cancellationToken)
    {
        var published = await source.PublicKeysAsync(cancellationToken);
        var keys = new List<NoteVerifier>();
        foreach (var line in published)
        {
            var parsed = NoteVerifier.Parse(line);
            if (!parsed.IsSuccess)
                throw new LedgerMismatchException(new LedgerFailure("public-key-malformed", $"the published public key '{line}' cannot be read: {parsed.Detail}"));
            keys.Add(parsed.Value);
        }
        if (keys.Count == 0)
            throw new LedgerMismatchException(new LedgerFailure("public-key-malformed", "the source publishes no public key"));

        var what = source.IsOffline ? "the bundle's own public-key.txt" : "the key the server itself publishes";
        var remembered = source.IsOffline ? state.LatestOf(ClaimedOrigin(note) ?? "") : state.LatestFrom(source.StateSource);
        if (remembered is null)
        {
            Warnings.Add($"no public key given (--public-key, --public-key-file or ${VerifyLedgerCommand.PublicKeyVariable}): verifying " +
                $"with {what}. That only proves the log is consistent with itself, not that nobody rewrote it and re-signed it; get the " +
                $"key from a trusted channel and pass it. Trust on first use: once this run succeeds the key is remembered in {state.Path}, " +
                "and a different key later is an error.");
            return (keys, KeyTrust.FirstUse, null);
        }

        var rememberedKey = NoteVerifier.Parse(remembered.VerifierKey);
        if (!rememberedKey.IsSuccess)
        {
            throw new LedgerSourceException(ExitCodes.UsageOrConnection,
                $"the ledger state file {state.Path} holds a key that cannot be read ({rememberedKey.Detail}); fix or delete it.");
        }
        if (!string.Equals(keys[0].VerifierKey, remembered.VerifierKey, StringComparison.Ordinal))
        {
            throw new LedgerMismatchException(new LedgerFailure("public-key-changed",
                $"the public key changed: you verified with {remembered.VerifierKey} on {Formats.When(remembered.VerifiedAt)}, and " +
                $"{(source.IsOffline ? "the bundle now holds" : "the server now publishes")} {keys[0].VerifierKey}. If the key was " +
                "rotated, confirm the new one through a trusted channel and pass it with --public-key."));
        }
        Warnings.Add($"no public key given: verifying with the key remembered from {Formats.When(remembered.VerifiedAt)} in {state.Path}; " +
            "pass --public-key with a key from a trusted channel for a verification that does not depend on the source.");
        return ([rememberedKey.Value], KeyTrust.Remembered, remembered.Origin);
    }

    /// <summary>The origin a note claims, read without checking anything, only to find what the state remembers of that log.</summary>
    private static string? ClaimedOrigin(string note)
    {
        var end = note.IndexOf('\n', StringComparison.Ordinal);
        return end > 0 ? note[..end] : null;
    }

    private static LedgerFailure CheckpointFailure(CheckpointNoteError error, string? detail, IReadOnlyList<NoteVerifier> keys)
    {
        var named = string.Join(", ", keys.Select(k => k.VerifierKey));
        return error switch
        {
            CheckpointNoteError.InvalidSignature => new LedgerFailure("checkpoint-signature",
                $"checkpoint signature does not verify with key {named}: the checkpoint was altered"),
            CheckpointNoteError.UnknownKey => new LedgerFailure("checkpoint-unknown-key",
                $"checkpoint is not signed by key {named} ({detail})"),
            CheckpointNoteError.OriginMismatch => new LedgerFailure("checkpoint-origin", $"checkpoint of another log: {detail}"),
            _ => new LedgerFailure("checkpoint-malformed", $"checkpoint cannot be read: {detail}"),
        };
    }

    /// <summary>Reads and checks the next entry; false at the end of the source.</summary>
    private async Task<bool> NextEntryAsync(CancellationToken cancellationToken)
    {
        if (_exhausted)
            return false;
        if (!await _entries!.MoveNextAsync())
        {
            _exhausted = true;
            return false;
        }
        var entry = _entries.Current;
        var expected = _range.Size;
        if (entry.Index != expected)
            throw await OutOfSequenceAsync(entry.Index, expected, cancellationToken);

        var leaf = entry.Record is null ? PurgedLeafHash(entry) : LeafHash(entry);
        if (entry.Record is not null && !(Hash32.TryFromHex(entry.LeafHash, out var served) && served == leaf))
        {
            throw new LedgerMismatchException(new LedgerFailure("leaf-hash-mismatch",
                $"entry #{entry.Index}: leaf hash does not match its contents ({entry.Action} on {entry.SubjectType} {entry.SubjectId})",
                entry.Index, entry.SubjectType, entry.SubjectId));
        }
        if (entry.Record is null)
            _unaccountedPurges[entry.Index] = entry;
        else if (entry.Action == LedgerPurge.Action)
            AccountForPurge(entry);
        _range.Append(leaf);
        _latest[(entry.SubjectType, entry.SubjectId)] =
            (entry.Index, entry.Record is null ? default : RecordHash(entry.Record), entry.Action == LedgerPurge.Action);
        if (_held.Any(h => h.Checkpoint.TreeSize == _range.Size))
            _rootsAt[_range.Size] = _range.RootHash();
        return true;
    }

    /// <summary>
    /// A purged entry keeps only its leaf hash, which the tree's root (and so the signed checkpoint) vouches for;
    /// what it held cannot be checked any more, so a purge entry later in the log must account for it.
    /// </summary>
    private static Hash32 PurgedLeafHash(LedgerEntryDto entry) =>
        Hash32.TryFromHex(entry.LeafHash, out var leaf) ? leaf : throw Malformed(entry, "its record was purged and its leaf hash is not 64 hexadecimal digits");

    /// <summary>
    /// A purge entry names the entries whose records it removed. Each must be an earlier entry of the same change,
    /// with the same leaf hash, older than a cutoff at least twelve months before the purge (policy 3.5).
    /// </summary>
    private void AccountForPurge(LedgerEntryDto purge)
    {
        LedgerMismatchException Invalid(string why) => new(new LedgerFailure("purge-invalid",
            $"entry #{purge.Index} ({purge.Action} on {purge.SubjectType} {purge.SubjectId}) is not a valid purge: {why}",
            purge.Index, purge.SubjectType, purge.SubjectId));

        var record = LedgerPurge.TryParse(purge.Record!) ?? throw Invalid("its record is not a purge record");
        var purgedAt = Parse(purge);
        if (record.Violation(purgedAt) is { } violation)
            throw Invalid(violation);
        var cutoff = DateTime.Parse(record.Cutoff, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        foreach (var named in record.Entries)
        {
            if (!_unaccountedPurges.Remove(named.Index, out var entry))
                throw Invalid($"it names entry #{named.Index}, which is not an earlier entry whose record was removed");
            if (entry.SubjectType != purge.SubjectType || entry.SubjectId != purge.SubjectId)
                throw Invalid($"it names entry #{named.Index}, which is about {entry.SubjectType} {entry.SubjectId}");
            if (!string.Equals(named.LeafHash, entry.LeafHash, StringComparison.Ordinal) || named.At != entry.At)
                throw Invalid($"entry #{named.Index} is not the entry it names (leaf hash or time differ)");
            if (Parse(entry) >= cutoff)
                throw Invalid($"entry #{named.Index} ({entry.At}) is not older than the cutoff {record.Cutoff}");
        }
    }

    /// <summary>Every entry whose record is gone must have been accounted for by a purge entry by the end of the log.</summary>
    private void CheckPurgesAccountedFor()
    {
        if (_unaccountedPurges.Count == 0)
            return;
        var first = _unaccountedPurges.Values.MinBy(e => e.Index)!;
        throw new LedgerMismatchException(new LedgerFailure("record-removed",
            $"entry #{first.Index}: its record was removed ({first.Action} on {first.SubjectType} {first.SubjectId}), but no purge entry accounts for it",
            first.Index, first.SubjectType, first.SubjectId));
    }

    private static DateTime Parse(LedgerEntryDto entry) =>
        DateTime.TryParseExact(entry.At, LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw Malformed(entry, $"its time '{entry.At}' is not of the form {LedgerLeaf.InstantFormat}");

    /// <summary>The leaf hash of an entry's contents, rebuilt with the server's own leaf format.</summary>
    private static Hash32 LeafHash(LedgerEntryDto entry)
    {
        if (entry.At is null || entry.Action is null || entry.SubjectType is null || entry.SubjectId is null || entry.Record is null)
            throw Malformed(entry, "a member is missing");
        var at = Parse(entry);
        try
        {
            return LedgerLeaf.Hash(at, entry.ActorId, entry.Action, entry.SubjectType, entry.SubjectId, entry.Record);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException)
        {
            throw Malformed(entry, "its record is not valid JSON");
        }
    }

    private static LedgerMismatchException Malformed(LedgerEntryDto entry, string why) =>
        new(new LedgerFailure("malformed-entry", $"entry #{entry.Index} cannot be checked: {why}", entry.Index, entry.SubjectType,
            entry.SubjectId));

    private static Hash32 RecordHash(string record) => Hash32.FromBytes(SHA256.HashData(Encoding.UTF8.GetBytes(record)));

    /// <summary>
    /// Entry <paramref name="found"/> where <paramref name="expected"/> belongs. Every index below
    /// <paramref name="expected"/> has been seen, so a lower one is a repeat; for a higher one the rest of the log
    /// tells whether <paramref name="expected"/> comes later (reordered) or never (missing).
    /// </summary>
    private async Task<LedgerMismatchException> OutOfSequenceAsync(long found, long expected, CancellationToken cancellationToken)
    {
        if (found < expected)
        {
            var where = found == expected - 1 ? "in a row" : $"(again after #{expected - 1})";
            return new(new LedgerFailure("entry-duplicate", $"entry #{found} appears twice {where}", found));
        }
        while (await _entries!.MoveNextAsync())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_entries.Current.Index == expected)
            {
                return new(new LedgerFailure("entries-out-of-order",
                    $"entries out of order: #{found} comes before #{expected}", expected));
            }
        }
        _exhausted = true;
        var jump = expected == 0 ? $"log starts at #{found}" : $"log jumps from {expected - 1} to {found}";
        return new(new LedgerFailure("entry-missing", $"entry #{expected} missing ({jump})", expected));
    }

    private LedgerMismatchException Truncated(long size)
    {
        var end = _range.Size == 0 ? "there are no entries" : $"the entries end at #{_range.Size - 1}";
        return new(new LedgerFailure("log-truncated", $"log truncated: {end}, but the checkpoint signs {size} entries", _range.Size));
    }

    private void CompareRoot(Hash32 signedRoot)
    {
        var computed = _range.RootHash();
        if (computed != signedRoot)
        {
            throw new LedgerMismatchException(new LedgerFailure("root-mismatch",
                $"root mismatch: the entries give {computed.ToHex()}, the checkpoint signs {signedRoot.ToHex()}"));
        }
    }

    /// <summary>
    /// The tree signed now must extend the one verified before: a consistency proof from the server (RFC 9162
    /// §2.1.4), and the older root recomputed from the entries themselves, which is all a bundle can offer.
    /// </summary>
    private async Task CheckConsistencyAsync(LedgerStateEntry prior, Hash32 priorRoot, Hash32? priorRootFromEntries, long size,
        Hash32 signedRoot, CancellationToken cancellationToken)
    {
        var before = $"the checkpoint of size {prior.TreeSize} you verified on {Formats.When(prior.VerifiedAt)}";
        var culprit = source.IsOffline ? "the bundle holds a different tree than the one signed before" : "the server serves a different tree than it signed before";
        if (prior.TreeSize > size)
        {
            if (source.IsOffline)
            {
                Warnings.Add($"the bundle's checkpoint (size {size}) is older than {before}; consistency with it is not checked.");
                return;
            }
            throw new LedgerMismatchException(new LedgerFailure("consistency",
                $"consistency with {before} fails: the server now signs a smaller tree of size {size}; {culprit}"));
        }

        if (prior.TreeSize < size && !source.IsOffline)
        {
            var served = await source.ConsistencyProofAsync(prior.TreeSize, size, cancellationToken);
            var proof = served?.Select(hex => Hash32.TryFromHex(hex, out var hash) ? hash : (Hash32?)null).ToList();
            if (proof is null || proof.Any(hash => hash is null)
                || !MerkleMath.VerifyConsistency(prior.TreeSize, size, priorRoot, signedRoot, proof.Select(hash => hash!.Value).ToArray()))
            {
                throw new LedgerMismatchException(new LedgerFailure("consistency",
                    $"consistency with {before} fails: the proof from size {prior.TreeSize} to {size} does not verify; {culprit}"));
            }
        }
        if (priorRootFromEntries != priorRoot)
        {
            throw new LedgerMismatchException(new LedgerFailure("consistency",
                $"consistency with {before} fails: its first {prior.TreeSize} entries now give root " +
                $"{priorRootFromEntries?.ToHex()} instead of {priorRoot.ToHex()}; {culprit}"));
        }
        Report.ConsistentWith = new ConsistencyReport(prior.TreeSize, prior.RootHash, prior.VerifiedAt);
    }

    /// <summary>
    /// Every current record must equal the record of its latest entry. A record changed after the entries were read
    /// has its entry at the end of the log, so the log is read on (online) before a difference is reported.
    /// </summary>
    private async Task CheckRecordsAsync(IVerifyProgress progress, CancellationToken cancellationToken)
    {
        long count = 0;
        var seen = new HashSet<(string, string)>();
        await foreach (var record in source.RecordsAsync(cancellationToken))
        {
            if (record.SubjectType is null || record.SubjectId is null || record.Record is null)
                throw new LedgerMismatchException(new LedgerFailure("malformed-record", "a record cannot be checked: a member is missing"));
            var key = (record.SubjectType, record.SubjectId);
            var current = RecordHash(record.Record);
            if (!Matches(key, current))
                await ReadOnAsync(cancellationToken);
            if (!_latest.TryGetValue(key, out var latest))
            {
                throw new LedgerMismatchException(new LedgerFailure("record-without-entry",
                    $"{record.SubjectType} {record.SubjectId} has no ledger entry", null, record.SubjectType, record.SubjectId));
            }
            if (latest.Record != current)
            {
                throw new LedgerMismatchException(new LedgerFailure("record-differs",
                    $"{record.SubjectType} {record.SubjectId} differs from its latest ledger entry #{latest.Index}", latest.Index,
                    record.SubjectType, record.SubjectId));
            }
            seen.Add(key);
            count++;
            Report.RecordsChecked = count;
            if ((count & 0xFF) == 0)
                progress.Records(count);
        }
        progress.Records(count);

        // Every record the log says exists must still be there: only a purge, itself an entry, removes one. A subject whose
        // purge was appended while the records were read is found by reading on.
        if (Missing(seen) is not null)
            await ReadOnAsync(cancellationToken);
        if (Missing(seen) is { } missing)
        {
            var (type, id) = missing.Key;
            throw new LedgerMismatchException(new LedgerFailure("record-missing",
                $"{type} {id} is missing: its latest entry #{missing.Value.Index} says it exists, and no purge entry removed it",
                missing.Value.Index, type, id));
        }
    }

    /// <summary>The earliest-recorded subject that should exist now and was not among the records, if any.</summary>
    private KeyValuePair<(string Type, string Id), (long Index, Hash32 Record, bool Purge)>? Missing(HashSet<(string, string)> seen) =>
        _latest.Where(l => !l.Value.Purge && LedgerSubjectTypes.HasCurrentRecord(l.Key.Type) && !seen.Contains(l.Key))
            .OrderBy(l => l.Value.Index)
            .Select(l => (KeyValuePair<(string Type, string Id), (long Index, Hash32 Record, bool Purge)>?)l)
            .FirstOrDefault();

    /// <summary>
    /// Each checkpoint the user holds must be a prefix of this log: the log reaches its size, and its first entries give
    /// its root. The check is the entries themselves, so it needs nothing from the source but the log.
    /// </summary>
    private void CheckHeld()
    {
        foreach (var held in _held)
        {
            var size = held.Checkpoint.TreeSize;
            var signed = Hash32.FromBytes(held.Checkpoint.RootHash);
            if (!_rootsAt.TryGetValue(size, out var root))
            {
                throw new LedgerMismatchException(new LedgerFailure("held-checkpoint-truncated",
                    $"the checkpoint you hold in {held.Name} signs {size} entries, but the log now has only {_range.Size}: entries were removed", _range.Size));
            }
            if (root != signed)
            {
                throw new LedgerMismatchException(new LedgerFailure("held-checkpoint-inconsistent",
                    $"the checkpoint you hold in {held.Name} signs root {signed.ToHex()} for the first {size} entries, but the log's first " +
                    $"{size} entries now give {root.ToHex()}: the history it covers was rewritten"));
            }
        }
    }

    private bool Matches((string, string) key, Hash32 current) => _latest.TryGetValue(key, out var latest) && latest.Record == current;

    /// <summary>Reads entries appended since the log was last read; false when there are none (always, for a bundle).</summary>
    private async Task<bool> ReadOnAsync(CancellationToken cancellationToken)
    {
        if (source.IsOffline)
            return false;
        if (_exhausted)
        {
            await _entries!.DisposeAsync();
            _entries = source.EntriesAsync(_range.Size, cancellationToken).GetAsyncEnumerator(cancellationToken);
            _exhausted = false;
        }
        var before = _range.Size;
        while (await NextEntryAsync(cancellationToken))
        {
        }
        Report.EntriesAfterCheckpoint += _range.Size - before;
        return _range.Size > before;
    }
}

/// <summary>The outcome of a run as <c>--json</c> prints it; filled in as each step succeeds.</summary>
internal sealed class LedgerReport
{
    public bool Verified { get; set; }

    public string? Source { get; set; }

    public string? Origin { get; set; }

    public long? TreeSize { get; set; }

    public string? RootHash { get; set; }

    public string? VerifierKey { get; set; }

    public KeyTrust? KeyTrust { get; set; }

    public long EntriesChecked { get; set; }

    /// <summary>Entries appended after the checkpoint: their leaf hashes are checked, but no signature covers them yet.</summary>
    public long EntriesAfterCheckpoint { get; set; }

    public long RecordsChecked { get; set; }

    public ConsistencyReport? ConsistentWith { get; set; }

    /// <summary>The checkpoints given with <c>--checkpoint</c>; once <see cref="Verified"/>, the log extends each.</summary>
    public List<HeldReport> HeldCheckpoints { get; set; } = [];

    public List<string> Warnings { get; } = [];

    public LedgerFailure? Failure { get; set; }
}

/// <summary>The earlier checkpoint the verified tree was shown to extend.</summary>
internal sealed record ConsistencyReport(long TreeSize, string RootHash, DateTime VerifiedAt);

/// <summary>A signed checkpoint the user holds and gave with <c>--checkpoint</c>, opened with the run's keys.</summary>
internal sealed record HeldCheckpoint(string Name, Checkpoint Checkpoint);

/// <summary>A held checkpoint the log was shown to extend.</summary>
internal sealed record HeldReport(string File, long TreeSize, string RootHash);
