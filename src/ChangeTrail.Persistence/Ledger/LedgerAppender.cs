using System.Data.Common;
using ChangeTrail.Domain.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// Appends recorded actions to the log inside the transaction that saves the actions themselves, so an
/// action without its entry, or an entry without its action, cannot be committed. The log head row is
/// advanced first: that takes the database's lock, so concurrent writers on any number of instances
/// append one after another, in the order the database grants the lock.
/// </summary>
/// <remarks>
/// An append writes only the entry and its leaf hash: the leaf hash does not depend on the entry's position,
/// so it is computed before the lock is taken, and the tree's interior nodes are built afterwards, in batches,
/// by <see cref="LedgerIntegrator"/>. The lock is held for one UPDATE and the inserts, not for tree reads.
/// </remarks>
internal static class LedgerAppender
{
    public static async Task AppendAsync(ChangeTrailDbContext db, IReadOnlyList<LedgerAction> actions, CancellationToken cancellationToken)
    {
        var leafHashes = actions
            .Select(a => MerkleHash.Leaf(LedgerLeaf.Bytes(a.At, a.ActorId, a.Action, a.SubjectType, a.SubjectId, a.Record)).ToArray())
            .ToList();
        var first = await AdvanceHeadAsync(db, actions.Count, cancellationToken) - actions.Count;
        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            db.LedgerEntries.Add(new LedgerEntry
            {
                Index = first + i,
                At = action.At,
                ActorId = action.ActorId,
                Action = action.Action,
                SubjectType = action.SubjectType,
                SubjectId = action.SubjectId,
                Record = action.Record,
                LeafHash = leafHashes[i],
            });
        }
    }

    /// <summary>Moves the head forward by <paramref name="count"/> and returns the new size; the row stays locked until commit.</summary>
    private static async Task<long> AdvanceHeadAsync(ChangeTrailDbContext db, int count, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """UPDATE "LedgerHead" SET "Size" = "Size" + @count WHERE "Id" = 1 RETURNING "Size";""";
        AddParameter(command, "@count", (long)count);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
