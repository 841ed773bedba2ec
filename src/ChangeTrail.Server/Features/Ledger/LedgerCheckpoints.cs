using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// Signs and keeps checkpoints: the root of the log at a size, computed from the stored nodes alone, signed
/// as a C2SP checkpoint. Instances may race to sign the same size; they sign the same root, the first row
/// stands and the others read it. Nothing is signed that is not consistent with the last checkpoint this
/// server signed (<see cref="LedgerAnchor"/>). A newly signed checkpoint is queued for the notification webhooks
/// (the witnesses) in the same transaction as its row. One per request scope, on the scope's context.
/// </summary>
public sealed class LedgerCheckpoints(ChangeTrailDbContext db, SigningKeyProvider key, Clock clock, NotificationWebhooks webhooks,
    LedgerAnchor anchor)
{
    /// <summary>The checkpoint of the largest size, if any was signed.</summary>
    public static Task<LedgerCheckpoint?> FindLatestAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        db.LedgerCheckpoints.AsNoTracking().OrderByDescending(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The latest checkpoint, signed first when the log grew since it (POST /ledger/checkpoint, the export).</summary>
    public async Task<Result<LedgerCheckpoint>> CurrentAsync(CancellationToken cancellationToken)
    {
        var size = await LedgerStore.SizeAsync(db, cancellationToken);
        var latest = await FindLatestAsync(db, cancellationToken);
        return latest is not null && latest.TreeSize >= size ? latest : await SignAsync(size, cancellationToken);
    }

    /// <summary>The latest checkpoint as it is, signing one only when there is none yet: the tree proofs default to.</summary>
    public async Task<Result<LedgerCheckpoint>> LatestAsync(CancellationToken cancellationToken) =>
        await FindLatestAsync(db, cancellationToken) is { } latest
            ? latest
            : await SignAsync(await LedgerStore.SizeAsync(db, cancellationToken), cancellationToken);

    /// <summary>The tree size a proof was asked for, or the latest checkpoint's when none was.</summary>
    public async Task<Result<long>> SizeOrLatestAsync(long? asked, CancellationToken cancellationToken)
    {
        if (asked is { } size)
            return size;
        var latest = await LatestAsync(cancellationToken);
        return latest.IsSuccess ? latest.Value!.TreeSize : latest.Error!;
    }

    /// <summary>The schedule's step: a new checkpoint when the log holds entries no checkpoint covers, otherwise null.</summary>
    public async Task<Result<LedgerCheckpoint?>> SignIfGrownAsync(CancellationToken cancellationToken)
    {
        var size = await LedgerStore.SizeAsync(db, cancellationToken);
        var latest = await FindLatestAsync(db, cancellationToken);
        if (size <= (latest?.TreeSize ?? 0))
            return (LedgerCheckpoint?)null;
        var signed = await SignAsync(size, cancellationToken);
        return signed.IsSuccess ? signed.Value : signed.Error!;
    }

    private async Task<Result<LedgerCheckpoint>> SignAsync(long size, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var consistent = await anchor.CheckAsync(db, size, now, cancellationToken);
        if (!consistent.IsSuccess)
            return consistent.Error!;
        var root = await LedgerStore.RootHashAsync(db, size, cancellationToken);
        var checkpoint = new LedgerCheckpoint
        {
            TreeSize = size,
            RootHash = root.ToArray(),
            Note = key.Sign(new Checkpoint(key.Origin, size, root.ToArray())),
            CreatedAt = now,
        };
        // The deliveries to the notification webhooks (the witnesses) commit with the checkpoint: never one without the
        // other. The schedule on PostgreSQL signs in its own transaction; everyone else gets one here.
        await using var transaction = webhooks.All.Count > 0 && db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        // Another instance (or the schedule) may sign this size at the same moment. It signs the same root, so
        // whichever row lands first stands, and the other reads it; DO NOTHING keeps that an ordinary outcome
        // rather than a failed statement (which would also abort a PostgreSQL transaction).
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "LedgerCheckpoint" ("TreeSize", "RootHash", "Note", "CreatedAt")
            VALUES ({checkpoint.TreeSize}, {checkpoint.RootHash}, {checkpoint.Note}, {checkpoint.CreatedAt})
            ON CONFLICT ("TreeSize") DO NOTHING
            """, cancellationToken);
        if (inserted == 0)
        {
            // The winner queued the deliveries with its row.
            if (transaction is not null)
                await transaction.RollbackAsync(cancellationToken);
            return await db.LedgerCheckpoints.AsNoTracking().SingleAsync(c => c.TreeSize == size, cancellationToken);
        }
        await WebhookOutbox.QueueAsync(db, webhooks, CheckpointNotification.EventType, CheckpointNotification.Payload(key.Origin, checkpoint),
            checkpoint.CreatedAt, cancellationToken);
        if (transaction is not null)
            await transaction.CommitAsync(cancellationToken);
        // Remembered once signed: a crash before this leaves an older anchor, which the next signing proves against.
        anchor.Remember(checkpoint);
        return checkpoint;
    }
}
