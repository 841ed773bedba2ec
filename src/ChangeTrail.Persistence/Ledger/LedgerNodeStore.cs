using System.Text;
using ChangeTrail.Domain.Ledger;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>Reads stored subtree hashes: exactly the nodes an algorithm names, in one query.</summary>
public static class LedgerNodeStore
{
    /// <summary>
    /// The hashes of <paramref name="wanted"/>. Asks for the exact (level, index) pairs — a row-value IN that
    /// SQLite and PostgreSQL both understand — rather than every level × index combination, which at ten
    /// million entries returns ten times the rows a proof needs. A missing node means the stored tree is
    /// damaged, and nothing may be built on it.
    /// </summary>
    public static async Task<Dictionary<NodeId, Hash32>> LoadAsync(ChangeTrailDbContext db, IEnumerable<NodeId> wanted,
        CancellationToken cancellationToken)
    {
        var nodes = wanted.Distinct().ToList();
        if (nodes.Count == 0)
            return [];

        var sql = new StringBuilder("""SELECT * FROM "LedgerNode" WHERE ("Level", "Index") IN (""");
        var parameters = new object[nodes.Count * 2];
        for (var i = 0; i < nodes.Count; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append('(').Append('{').Append(2 * i).Append("}, {").Append(2 * i + 1).Append("})");
            parameters[2 * i] = nodes[i].Level;
            parameters[2 * i + 1] = nodes[i].Index;
        }
        sql.Append(')');

        var rows = await db.LedgerNodes.FromSqlRaw(sql.ToString(), parameters).AsNoTracking().ToListAsync(cancellationToken);
        var found = rows.ToDictionary(n => new NodeId(n.Level, n.Index), n => Hash32.FromBytes(n.Hash));
        var missing = nodes.Where(n => !found.ContainsKey(n)).Select(n => n.ToString()).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"The ledger is missing its stored node(s) {string.Join(", ", missing)}; it cannot be used safely.");
        return found;
    }
}
