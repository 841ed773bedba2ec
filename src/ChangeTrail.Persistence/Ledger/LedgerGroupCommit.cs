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
/// one's connection and transaction, and goes back to a connection of its own afterwards. After the saves, one
/// statement advances the head and writes every save's entries, in arrival order. A save that fails (a concurrency
/// conflict, a unique key) is reported to its own request and the transaction is tried again without it, so the
/// others commit; its context is left as it was before the save. A request is answered only after the commit
/// that holds its save: nobody is told "done" for a write that could still be lost.</para>
/// <para>A save arriving when fewer than <see cref="ConcurrentBatches"/> batches are committing commits at once, on
/// its own request's flow: one writer pays nothing for the batching.</para>
/// </remarks>
/// <param name="concurrentBatches">How many batches may be in flight at once (<see cref="ForSqlite"/>, <see cref="ForPostgres"/>).</param>
public sealed class LedgerGroupCommit(int concurrentBatches = 1)
{
    /// <summary>The most saves one transaction carries, so a burst cannot make one commit arbitrarily long.</summary>
    public const int MaxBatch = 64;

    /// <summary>
    /// SQLite: one batch at a time. A write transaction holds the database's only write lock from BEGIN, so a
    /// second batch would only wait for it.
    /// </summary>
    public static LedgerGroupCommit ForSqlite() => new(concurrentBatches: 1);

    /// <summary>
    /// PostgreSQL: two batches in flight. One saves its rows on its own connection while the other writes its entries
    /// and waits for its flush; the head row still orders them, since a batch's entries statement waits for the
    /// batch before it to commit. The head is locked last, after a batch's own rows, so the two cannot deadlock.
    /// </summary>
    public static LedgerGroupCommit ForPostgres() => new(concurrentBatches: 2);

    public int ConcurrentBatches { get; } = concurrentBatches >= 1
        ? concurrentBatches
        : throw new ArgumentOutOfRangeException(nameof(concurrentBatches), concurrentBatches, "At least one batch must be able to commit.");

    private readonly Lock _gate = new();
    private readonly Queue<PendingSave> _waiting = new();
    private int _committing;
    private long _batches;
    private long _saves;

    /// <summary>Saves per commit so far, for the benchmark's report.</summary>
    public double MeanBatch => Interlocked.Read(ref _batches) == 0 ? 0 : (double)Interlocked.Read(ref _saves) / Interlocked.Read(ref _batches);

    /// <summary>
    /// Saves <paramref name="db"/>'s changes and <paramref name="append"/>, in a transaction shared with the saves
    /// that arrived with it, and completes once that transaction has committed.
    /// </summary>
    internal Task<int> SaveAsync(ChangeTrailDbContext db, LedgerAppend append, bool acceptAllChangesOnSuccess)
    {
        var pending = new PendingSave(db, append, acceptAllChangesOnSuccess);
        lock (_gate)
        {
            _waiting.Enqueue(pending);
            if (_committing == ConcurrentBatches)
                return pending.Completion.Task;
            _committing++;
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
        bool more;
        lock (_gate)
        {
            more = _waiting.Count > 0;
            if (!more)
                _committing--;
        }
        if (more)
            _ = Task.Run(DrainAsync);
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
                    _committing--;
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Commits the next batch and tells each of its saves the outcome. It never throws: whatever fails, every save of the
    /// batch is answered and the caller goes on to restore the count of batches in flight, so no request waits forever
    /// and the instance keeps committing.
    /// </summary>
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
        Exception? failure;
        try
        {
            failure = await CommitAsync(batch);
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        foreach (var pending in batch)
        {
            try
            {
                Answer(pending, failure);
            }
            catch (Exception exception)
            {
                pending.Completion.TrySetException(exception);
            }
        }
    }

    /// <summary>
    /// A committed save succeeds, even if something failed after its commit (it is durable); one whose context could
    /// not leave the shared connection is told so, since that context must not be used again. Any other save failed,
    /// and its context is put back as it was before the save.
    /// </summary>
    private static void Answer(PendingSave pending, Exception? failure)
    {
        if (pending.Committed && pending.Error is null)
        {
            if (pending.AcceptAllChanges)
                pending.Db.ChangeTracker.AcceptAllChanges();
            pending.Completion.TrySetResult(pending.Saved + pending.Append.Actions.Count);
            return;
        }
        if (!pending.Committed)
            pending.Db.Restore(pending.Append);
        pending.Completion.TrySetException(pending.Error ?? failure
            ?? new InvalidOperationException("The group commit ended without committing this save."));
    }

    /// <summary>
    /// Commits the batch's saves in one transaction; returns why none could be committed, or null. A save that
    /// fails is given its error and the transaction is rolled back and tried again without it: failures are rare,
    /// so the saves do not pay for a savepoint each (round trips a PostgreSQL batch would otherwise spend).
    /// </summary>
    private static async Task<Exception?> CommitAsync(List<PendingSave> batch)
    {
        // The requests' own cancellation does not apply from here: the batch commits or fails as a whole. The
        // first save's context lends its connection to the others, even if its own save is the one that fails.
        var host = batch[0].Db;
        var guests = batch.Where(p => !ReferenceEquals(p.Db, host)).Select(p => p.Db).Distinct().ToList();
        var joined = new List<ChangeTrailDbContext>();
        try
        {
            foreach (var guest in guests)
            {
                guest.Join(host.Database.GetDbConnection());
                joined.Add(guest);
            }
            var saving = batch.ToList();
            while (saving.Count > 0)
            {
                var failed = await TryCommitAsync(host, guests, saving);
                if (failed is null)
                    return null;
                saving.Remove(failed);
            }
            return null; // every save failed, each with its own error
        }
        catch (Exception exception)
        {
            return exception;
        }
        finally
        {
            // Told only once every context has left the shared connection (a caller may retry on it at once). A context
            // that cannot leave is told so; the others still leave.
            foreach (var guest in joined)
            {
                try
                {
                    await guest.LeaveAsync();
                }
                catch (Exception exception)
                {
                    foreach (var pending in batch.Where(p => ReferenceEquals(p.Db, guest)))
                        pending.Error ??= exception;
                }
            }
        }
    }

    /// <summary>
    /// One attempt: each save in turn, then every save's entries in one statement that advances the head (so the
    /// log's lock is held only from there to the COMMIT), then COMMIT. Returns the save that failed (the
    /// transaction then rolled back), or null once committed.
    /// </summary>
    private static async Task<PendingSave?> TryCommitAsync(ChangeTrailDbContext host, List<ChangeTrailDbContext> guests, List<PendingSave> saving)
    {
        await using var transaction = await host.Database.BeginTransactionAsync();
        var shared = transaction.GetDbTransaction();
        foreach (var guest in guests)
            await guest.Database.UseTransactionAsync(shared);
        try
        {
            foreach (var pending in saving)
            {
                try
                {
                    pending.Saved = await pending.Db.SaveChangesInTransactionAsync(CancellationToken.None);
                }
                catch (Exception exception)
                {
                    pending.Error = exception;
                    await transaction.RollbackAsync();
                    return pending;
                }
            }
            await LedgerAppend.WriteAsync(host, [.. saving.Select(p => p.Append)], CancellationToken.None);
            await transaction.CommitAsync();
            foreach (var pending in saving)
                pending.Committed = true;
            return null;
        }
        finally
        {
            // The next attempt's transaction is a new one: EF lets a context take it only once it has let go of this one.
            foreach (var guest in guests)
                await guest.Database.UseTransactionAsync(null);
        }
    }

    private sealed class PendingSave(ChangeTrailDbContext db, LedgerAppend append, bool acceptAllChanges)
    {
        public ChangeTrailDbContext Db { get; } = db;
        public LedgerAppend Append { get; } = append;
        public bool AcceptAllChanges { get; } = acceptAllChanges;
        public int Saved { get; set; }
        public bool Committed { get; set; }
        public Exception? Error { get; set; }
        public TaskCompletionSource<int> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
