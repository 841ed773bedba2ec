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
internal static class LedgerAppender
{
    public static async Task AppendAsync(ChangeTrailDbContext db, IReadOnlyList<LedgerAction> actions, CancellationToken cancellationToken)
    {
        var newSize = await AdvanceHeadAsync(db, actions.Count, cancellationToken);
        var oldSize = newSize - actions.Count;

        var edge = MerkleMath.RootHashNodes(oldSize);
        var stored = await LedgerNodeStore.LoadAsync(db, edge, cancellationToken);
        var range = CompactRange.FromNodes(oldSize, edge.Select(n => stored[n]).ToArray());

        for (var i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            var leafHash = MerkleHash.Leaf(LedgerLeaf.Bytes(action.At, action.ActorId, action.Action, action.SubjectType, action.SubjectId, action.Record));
            db.LedgerEntries.Add(new LedgerEntry
            {
                Index = oldSize + i,
                At = action.At,
                ActorId = action.ActorId,
                Action = action.Action,
                SubjectType = action.SubjectType,
                SubjectId = action.SubjectId,
                Record = action.Record,
                LeafHash = leafHash.ToArray(),
            });
            foreach (var node in range.Append(leafHash))
                db.LedgerNodes.Add(new LedgerNode { Level = node.Level, Index = node.Index, Hash = node.Hash.ToArray() });
        }
    }

    /// <summary>Moves the head forward by <paramref name="count"/> and returns the new size; the row stays locked until commit.</summary>
    private static async Task<long> AdvanceHeadAsync(ChangeTrailDbContext db, int count, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """UPDATE "LedgerHead" SET "Size" = "Size" + @count WHERE "Id" = 1 RETURNING "Size";""";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@count";
        parameter.Value = (long)count;
        command.Parameters.Add(parameter);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }
}
