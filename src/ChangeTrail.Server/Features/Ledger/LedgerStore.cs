using System.Globalization;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>Reads of the stored log shared by the ledger endpoints: its size, its stored nodes, its entries as the API shows them.</summary>
public static class LedgerStore
{
    /// <summary>The number of committed entries. Entries and nodes below it are committed with it, so they can be read after it.</summary>
    public static Task<long> SizeAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        db.LedgerHeads.AsNoTracking().Where(h => h.Id == LedgerHead.SingletonId).Select(h => h.Size).SingleAsync(cancellationToken);

    /// <summary>
    /// Loads the stored nodes an algorithm of <see cref="MerkleMath"/> will ask for (its <c>…Nodes</c> list) and
    /// answers it from them. A node not stored yet is one the tree has not been integrated up to: the tree is
    /// integrated then and the nodes read again — so the usual proof costs one read, not a check first.
    /// </summary>
    /// <exception cref="InvalidOperationException">A node the log should hold is missing even then: the store is damaged.</exception>
    public static async Task<PerfectSubtreeHash> SubtreesAsync(ChangeTrailDbContext db, IEnumerable<NodeId> wanted,
        CancellationToken cancellationToken)
    {
        var nodes = wanted.ToList();
        var found = await LedgerNodeStore.LoadStoredAsync(db, nodes, cancellationToken);
        if (nodes.Any(n => !found.ContainsKey(n)))
        {
            await LedgerIntegrator.IntegrateAsync(db, cancellationToken);
            found = await LedgerNodeStore.LoadAsync(db, nodes, cancellationToken);
        }
        return (start, size) => found[NodeId.FromRange(start, size)];
    }

    /// <summary>The root of the first <paramref name="treeSize"/> leaves, from the stored nodes of its right edge.</summary>
    public static async Task<Hash32> RootHashAsync(ChangeTrailDbContext db, long treeSize, CancellationToken cancellationToken) =>
        MerkleMath.RootHash(treeSize, await SubtreesAsync(db, MerkleMath.RootHashNodes(treeSize), cancellationToken));

    /// <summary>The instant as the leaf hashes it.</summary>
    public static string Instant(DateTime at) => at.ToUniversalTime().ToString(LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture);

    public static LedgerEntryDto ToDto(LedgerEntry e) =>
        new(e.Index, Instant(e.At), e.ActorId, e.Action, e.SubjectType, e.SubjectId, e.Record, Convert.ToHexStringLower(e.LeafHash));

    public static IReadOnlyList<string> Hex(IEnumerable<Hash32> hashes) => hashes.Select(h => h.ToHex()).ToList();
}
