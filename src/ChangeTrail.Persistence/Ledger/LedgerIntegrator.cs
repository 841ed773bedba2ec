using ChangeTrail.Domain.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// Builds the stored tree over entries already appended: the second half of an append, done in batches. An
/// append commits its entry and leaf hash with the action; this step adds the interior nodes those leaves
/// complete, so that roots and proofs read O(log n) rows. It is deterministic — the nodes follow from the
/// leaf hashes alone — so doing it later loses nothing, and a crash in the middle leaves the previous
/// integrated size intact, to be extended again. A checkpoint or a proof that finds a node not stored yet
/// integrates and reads again, so nobody builds on a node that is not there.
/// </summary>
public static class LedgerIntegrator
{
    /// <summary>Leaves integrated per transaction: keeps each one short, however far behind the tree is.</summary>
    public const int BatchSize = 4096;

    /// <summary>The size up to which the stored tree is complete.</summary>
    public static Task<long> SizeAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        db.LedgerTrees.AsNoTracking().Where(t => t.Id == LedgerTree.SingletonId).Select(t => t.Size).SingleAsync(cancellationToken);

    /// <summary>
    /// Integrates every entry committed so far and returns the integrated size. Several callers (instances, the
    /// schedule, a proof request) may run it at once: the tree row's lock makes them take turns, and each one
    /// finds what the others did. Use a context with nothing else to save.
    /// </summary>
    public static async Task<long> IntegrateAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        if (db.ChangeTracker.HasChanges())
            throw new InvalidOperationException("Integrate the ledger on a context with no pending changes: it saves.");
        while (true)
        {
            var (integrated, head) = await IntegrateBatchAsync(db, cancellationToken);
            if (integrated >= head)
                return integrated;
        }
    }

    private static async Task<(long Integrated, long Head)> IntegrateBatchAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        // Inside the caller's transaction when there is one (the checkpoint schedule holds its lock in one); the
        // tree row then stays locked until the caller commits.
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        await using var _ = own;
        var size = await LockTreeAsync(db, cancellationToken);
        var head = await db.LedgerHeads.AsNoTracking().Where(h => h.Id == LedgerHead.SingletonId).Select(h => h.Size)
            .SingleAsync(cancellationToken);
        if (size >= head)
            return (size, head);

        var end = Math.Min(head, size + BatchSize);
        var edge = MerkleMath.RootHashNodes(size);
        var stored = await LedgerNodeStore.LoadAsync(db, edge, cancellationToken);
        var range = CompactRange.FromNodes(size, edge.Select(n => stored[n]).ToArray());
        var leaves = await db.LedgerEntries.AsNoTracking().Where(e => e.Index >= size && e.Index < end).OrderBy(e => e.Index)
            .Select(e => new { e.Index, e.LeafHash }).ToListAsync(cancellationToken);

        var nodes = new List<LedgerNode>();
        foreach (var leaf in leaves)
        {
            // The head counts only committed entries, all of them below it: a gap is a deleted entry.
            if (leaf.Index != range.Size)
                throw new InvalidOperationException($"The ledger has no entry {range.Size}; its tree cannot be built past it.");
            nodes.AddRange(range.Append(Hash32.FromBytes(leaf.LeafHash)).Where(n => n.Level > 0)
                .Select(n => new LedgerNode { Level = n.Level, Index = n.Index, Hash = n.Hash.ToArray() }));
        }
        if (range.Size != end)
            throw new InvalidOperationException($"The ledger has no entry {range.Size}; its tree cannot be built past it.");

        db.LedgerNodes.AddRange(nodes);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var node in nodes)
            db.Entry(node).State = EntityState.Detached;
        await db.Database.ExecuteSqlAsync($"""UPDATE "LedgerTree" SET "Size" = {end} WHERE "Id" = 1""", cancellationToken);
        if (own is not null)
            await own.CommitAsync(cancellationToken);
        return (end, head);
    }

    /// <summary>Locks the tree row until commit and returns its size: one integrator at a time, on every instance.</summary>
    private static async Task<long> LockTreeAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        command.CommandText = """UPDATE "LedgerTree" SET "Size" = "Size" WHERE "Id" = 1 RETURNING "Size";""";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
