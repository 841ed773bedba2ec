using System.Security.Cryptography;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// The log no longer extends the history this server signed: someone rewrote, removed or reordered entries in the
/// database. Nothing more is signed until the log is restored, and <c>/readyz</c> says so.
/// </summary>
public sealed record LedgerInconsistent(string Reason)
    : DomainError(ErrorKind.Unavailable, "ledger-inconsistent", "The ledger is inconsistent with what this server signed",
        $"{Reason} No checkpoint is signed until the log is restored; see the server's log and run 'changetrail ledger verify'.");

/// <summary>
/// History is anchored outside the database (ARCHITECTURE.md, "Decisions"). The last checkpoint this server signed is
/// kept in a file beside its signing key, where whoever can rewrite the database cannot; before signing anything new,
/// the server proves the tree consistent with it (RFC 9162 consistency proof), and refuses if it is not: a rewritten
/// history is never signed, on a restart or ever. One per instance; the file is written whole or not at all.
/// </summary>
public sealed class LedgerAnchor(IOptions<ChangeTrailOptions> options, SigningKeyProvider key, NotificationWebhooks webhooks,
    ILogger<LedgerAnchor> logger)
{
    public const string FileName = "ledger-last-checkpoint";

    private readonly Lock _gate = new();
    private LedgerInconsistent? _inconsistency;

    public string FilePath { get; } = options.Value.Ledger.LastCheckpointFile is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(Path.GetFullPath(options.Value.DataDirectory), FileName);

    /// <summary>What the last check found wrong, or null while the log extends what was signed.</summary>
    public LedgerInconsistent? Inconsistency
    {
        get
        {
            lock (_gate)
                return _inconsistency;
        }
    }

    /// <summary>
    /// Proves that the first entries of the log in <paramref name="db"/> are still the tree of the remembered checkpoint,
    /// and that the log is at least <paramref name="size"/> long. A failure is logged as critical and announced to the
    /// notification webhooks once, when first found.
    /// </summary>
    public async Task<Result> CheckAsync(ChangeTrailDbContext db, long size, DateTime now, CancellationToken cancellationToken)
    {
        var problem = await FindProblemAsync(db, size, cancellationToken);
        bool first;
        lock (_gate)
        {
            first = problem is not null && _inconsistency is null;
            _inconsistency = problem;
        }
        if (problem is null)
            return Result.Success;
        if (first)
        {
            if (logger.IsEnabled(LogLevel.Critical))
            {
                logger.LogCritical("LEDGER INCONSISTENT: {Reason} Nothing will be signed until the log is restored. Remembered checkpoint: {File}.",
                    problem.Reason, FilePath);
            }
            await WebhookOutbox.QueueAsync(db, webhooks, InconsistencyNotification.EventType,
                InconsistencyNotification.Payload(key.Origin, problem.Reason, File.Exists(FilePath) ? await File.ReadAllTextAsync(FilePath, cancellationToken) : null, now),
                now, cancellationToken);
        }
        return problem;
    }

    /// <summary>Remembers <paramref name="checkpoint"/> as the last one signed, unless a larger one is remembered already.</summary>
    public void Remember(LedgerCheckpoint checkpoint)
    {
        lock (_gate)
        {
            if (Read() is { IsSuccess: true, Value: { } held } && held.TreeSize >= checkpoint.TreeSize)
                return;
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            var temporary = $"{FilePath}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp";
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(checkpoint.Note);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, FilePath, overwrite: true);
        }
    }

    private async Task<LedgerInconsistent?> FindProblemAsync(ChangeTrailDbContext db, long size, CancellationToken cancellationToken)
    {
        var read = Read();
        if (!read.IsSuccess)
            return new LedgerInconsistent($"The remembered checkpoint in {FilePath} cannot be trusted: {read.Error!.Detail}");
        if (read.Value is not { } held)
            return null;
        var logSize = await LedgerStore.SizeAsync(db, cancellationToken);
        if (held.TreeSize > logSize || held.TreeSize > size)
        {
            return new LedgerInconsistent(
                $"This server signed a tree of {held.TreeSize} entries, but the log now holds {logSize}: entries were removed.");
        }
        var subtrees = await LedgerStore.SubtreesAsync(db,
            [.. MerkleMath.ConsistencyProofNodes(held.TreeSize, size), .. MerkleMath.RootHashNodes(held.TreeSize), .. MerkleMath.RootHashNodes(size)],
            cancellationToken);
        var proof = MerkleMath.ConsistencyProof(held.TreeSize, size, subtrees);
        var heldRoot = Hash32.FromBytes(held.RootHash);
        if (!MerkleMath.VerifyConsistency(held.TreeSize, size, heldRoot, MerkleMath.RootHash(size, subtrees), proof))
        {
            return new LedgerInconsistent(
                $"The log's first {held.TreeSize} entries no longer hash to the root this server signed ({heldRoot.ToHex()}): the history was rewritten.");
        }
        return null;
    }

    /// <summary>The remembered checkpoint (null when none is), verified with the log's own keys.</summary>
    private Result<Checkpoint?> Read()
    {
        if (!File.Exists(FilePath))
            return (Checkpoint?)null;
        var opened = CheckpointNote.Open(File.ReadAllText(FilePath), key.Origin, key.Verifiers);
        return opened.IsSuccess
            ? opened.Value.Checkpoint
            : ValidationFailed.For("lastCheckpoint", $"its signature or form is wrong ({opened.Error}: {opened.Detail})");
    }
}
