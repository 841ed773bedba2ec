using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// Group commit within one instance (ARCHITECTURE.md, "Ledger under load"). Every save that appends to the
/// ledger takes the log head's lock until it commits, so saves from concurrent requests cannot overlap: each
/// waits for the one before it to reach the disk. Here, saves that arrive while another is committing wait
/// together, and the next commit carries all of them in one transaction: one lock, one flush, many requests.
/// </summary>
/// <remarks>
/// <para>Each request keeps its own DbContext; for the batch, every context after the first joins the first
/// one's connection and transaction, and goes back to a connection of its own afterwards. Each save runs
/// inside its own savepoint, so a save that fails (a concurrency conflict, a unique key) is undone alone and
/// reported to its own request, while the others commit. A request is answered only after the commit that
/// holds its save: nobody is told "done" for a write that could still be lost.</para>
/// <para>A save arriving when nothing is committing commits at once, on its own request's flow: one writer
/// pays nothing for the batching.</para>
/// </remarks>
public sealed class LedgerGroupCommit
{
    /// <summary>The most saves one transaction carries, so a burst cannot make one commit arbitrarily long.</summary>
    public const int MaxBatch = 64;

    private readonly Lock _gate = new();
    private readonly Queue<PendingSave> _waiting = new();
    private bool _committing;
    private long _batches;
    private long _saves;

    /// <summary>Saves per commit so far, for the benchmark's report.</summary>
    public double MeanBatch => Interlocked.Read(ref _batches) == 0 ? 0 : (double)Interlocked.Read(ref _saves) / Interlocked.Read(ref _batches);

    /// <summary>
    /// Saves <paramref name="db"/>'s changes and recorded actions, in a transaction shared with the saves that
    /// arrived with it, and completes once that transaction has committed.
    /// </summary>
    internal Task<int> SaveAsync(ChangeTrailDbContext db, bool acceptAllChangesOnSuccess)
    {
        var pending = new PendingSave(db, acceptAllChangesOnSuccess);
        lock (_gate)
        {
            _waiting.Enqueue(pending);
            if (_committing)
                return pending.Completion.Task;
            _committing = true;
        }
        return CommitOwnAsync(pending);
    }

    /// <summary>
    /// The caller found nobody committing, so it commits what is waiting — its own save first. Saves that arrive
    /// meanwhile are committed next by a task of their own, so this request is not kept answering for others.
    /// </summary>
    private async Task<int> CommitOwnAsync(PendingSave own)
    {
        await CommitNextBatchAsync();
        lock (_gate)
        {
            if (_waiting.Count == 0)
                _committing = false;
            else
                _ = Task.Run(DrainAsync);
        }
        return await own.Completion.Task;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            await CommitNextBatchAsync();
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _committing = false;
                    return;
                }
            }
        }
    }

    private async Task CommitNextBatchAsync()
    {
        List<PendingSave> batch;
        lock (_gate)
        {
            batch = [];
            while (batch.Count < MaxBatch && _waiting.TryDequeue(out var next))
                batch.Add(next);
        }
        if (batch.Count == 0)
            return;
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _saves, batch.Count);

        // Every request is answered only after the shared transaction is over (committed, or rolled back and
        // disposed): an answered request may use its context again at once, and the host's context owns it.
        var failure = await CommitAsync(batch);
        foreach (var pending in batch)
        {
            if (failure is null && pending.Saved is { } saved)
            {
                if (pending.AcceptAllChanges)
                    pending.Db.ChangeTracker.AcceptAllChanges();
                pending.Completion.TrySetResult(saved);
            }
            else
            {
                pending.Completion.TrySetException(pending.Error ?? failure!);
            }
        }
    }

    /// <summary>Runs the batch's saves in one transaction and commits; returns why nothing was committed, or null.</summary>
    private static async Task<Exception?> CommitAsync(List<PendingSave> batch)
    {
        // The requests' own cancellation does not apply from here: the batch commits or fails as a whole.
        var host = batch[0].Db;
        try
        {
            await using var transaction = await host.Database.BeginTransactionAsync();
            var connection = host.Database.GetDbConnection();
            var shared = transaction.GetDbTransaction();
            var useSavepoints = batch.Count > 1;
            foreach (var pending in batch)
            {
                // A failed save that could not be undone alone leaves nothing in this transaction to trust:
                // disposing it rolls everything back.
                if (!await SaveOneAsync(pending, host, connection, shared, transaction, useSavepoints))
                    return new InvalidOperationException("A save sharing this transaction failed and could not be undone alone; nothing was saved.");
            }
            if (batch.All(p => p.Saved is null))
                return new InvalidOperationException("Nothing was saved.");
            await transaction.CommitAsync();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    /// <summary>Runs one save in the shared transaction; false when it failed and could not be undone on its own.</summary>
    private static async Task<bool> SaveOneAsync(PendingSave pending, ChangeTrailDbContext host, DbConnection connection,
        DbTransaction shared, IDbContextTransaction transaction, bool useSavepoints)
    {
        var guest = !ReferenceEquals(pending.Db, host);
        var savepoint = false;
        try
        {
            if (guest)
                await pending.Db.JoinAsync(connection, shared);
            if (useSavepoints)
            {
                await transaction.CreateSavepointAsync(SavepointName);
                savepoint = true;
            }
            pending.Saved = await pending.Db.SaveInCurrentTransactionAsync(CancellationToken.None);
            if (savepoint)
                await transaction.ReleaseSavepointAsync(SavepointName);
            return true;
        }
        catch (Exception exception)
        {
            // Told only once the context has left the shared connection (the caller may retry on it at once).
            pending.Saved = null;
            pending.Error = exception;
            if (!savepoint)
                return !useSavepoints;
            try
            {
                await transaction.RollbackToSavepointAsync(SavepointName);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }
        finally
        {
            if (guest)
                await pending.Db.LeaveAsync();
        }
    }

    private const string SavepointName = "ledger_save";

    private sealed class PendingSave(ChangeTrailDbContext db, bool acceptAllChanges)
    {
        public ChangeTrailDbContext Db { get; } = db;
        public bool AcceptAllChanges { get; } = acceptAllChanges;
        public int? Saved { get; set; }
        public Exception? Error { get; set; }
        public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
