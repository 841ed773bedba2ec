using ChangeTrail.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>Reads stored subtree hashes: exactly the nodes an algorithm names, in one query.</summary>
public static class LedgerNodeStore
{
    /// <summary>
    /// The hashes of <paramref name="wanted"/>: leaves (level 0) from their entries' leaf hashes, larger subtrees
    /// from <see cref="LedgerNode"/>. Asks for the exact (level, index) pairs — a row-value IN that SQLite and
    /// PostgreSQL both understand — rather than every level × index combination, which at ten million entries
    /// returns ten times the rows a proof needs. A missing node means the stored tree is damaged (or not yet
    /// integrated that far: see <see cref="LedgerIntegrator"/>), and nothing may be built on it.
    /// </summary>
    public static async Task<Dictionary<NodeId, Hash32>> LoadAsync(ChangeTrailDbContext db, IEnumerable<NodeId> wanted,
        CancellationToken cancellationToken)
    {
        var nodes = wanted.Distinct().ToList();
        var found = await LoadStoredAsync(db, nodes, cancellationToken);
        var missing = nodes.Where(n => !found.ContainsKey(n)).Select(n => n.ToString()).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"The ledger is missing its stored node(s) {string.Join(", ", missing)}; it cannot be used safely.");
        return found;
    }

    /// <summary>
    /// The hashes of those of <paramref name="wanted"/> that are stored; the caller decides what a missing one means.
    /// One query: the leaves' hashes from their entries and the larger subtrees' from <see cref="LedgerNode"/>, as
    /// one list of (level, index, hash) rows.
    /// </summary>
    public static async Task<Dictionary<NodeId, Hash32>> LoadStoredAsync(ChangeTrailDbContext db, IEnumerable<NodeId> wanted,
        CancellationToken cancellationToken)
    {
        var nodes = wanted.Distinct().ToList();
        var found = new Dictionary<NodeId, Hash32>();
        if (nodes.Count == 0)
            return found;

        var parameters = new List<object>();
        string Parameter(object value)
        {
            parameters.Add(value);
            return $"{{{parameters.Count - 1}}}";
        }
        var parts = new List<string>();
        var leaves = nodes.Where(n => n.Level == 0).ToList();
        if (leaves.Count > 0)
            parts.Add($"""SELECT 0 AS "Level", "Index", "LeafHash" AS "Hash" FROM "LedgerEntry" WHERE "Index" IN ({string.Join(", ", leaves.Select(n => Parameter(n.Index)))})""");
        var interior = nodes.Where(n => n.Level > 0).ToList();
        if (interior.Count > 0)
            parts.Add($"""SELECT "Level", "Index", "Hash" FROM "LedgerNode" WHERE ("Level", "Index") IN ({string.Join(", ", interior.Select(n => $"({Parameter(n.Level)}, {Parameter(n.Index)})"))})""");

        var rows = await db.LedgerNodes.FromSqlRaw(string.Join(" UNION ALL ", parts), [.. parameters]).AsNoTracking().ToListAsync(cancellationToken);
        foreach (var row in rows)
            found[new NodeId(row.Level, row.Index)] = Hash32.FromBytes(row.Hash);
        return found;
    }
}
