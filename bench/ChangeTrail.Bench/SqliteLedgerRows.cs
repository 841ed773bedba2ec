using System.Data.Common;
using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Bench;

/// <summary>
/// Writes a seeded ledger's rows into SQLite fast: prepared commands, committed every <paramref name="rowsPerTransaction"/>
/// rows. The scenarios that seed millions of entries (ledger-proof, gate) share it; each fills its own LedgerEntry rows.
/// </summary>
public sealed class SqliteLedgerRows(DbConnection connection, long rowsPerTransaction) : IAsyncDisposable
{
    private DbTransaction? _transaction;

    public long Rows { get; private set; }

    /// <summary>Runs <paramref name="command"/> once, in the current batch's transaction (a new one every so many rows).</summary>
    public async Task ExecuteAsync(DbCommand command)
    {
        if (Rows % rowsPerTransaction == 0)
        {
            await CommitAsync();
            _transaction = await connection.BeginTransactionAsync();
        }
        command.Transaction = _transaction;
        await command.ExecuteNonQueryAsync();
        Rows++;
    }

    /// <summary>LedgerNode rows of the integrated tree: for each level L ≥ 1, the hashes <paramref name="levels"/>[L] holds.</summary>
    public async Task InsertNodesAsync(IReadOnlyList<Hash32[]> levels, Func<int, long> nodesAt)
    {
        await using var node = connection.CreateCommand();
        node.CommandText = """INSERT INTO "LedgerNode" ("Level", "Index", "Hash") VALUES (@level, @index, @hash)""";
        var level = Parameter(node, "@level", 1);
        var index = Parameter(node, "@index", 0L);
        var hashBytes = new byte[32];
        var hash = Parameter(node, "@hash", hashBytes);
        await node.PrepareAsync();
        for (var l = 1; l < levels.Count && nodesAt(l) > 0; l++)
        {
            level.Value = l;
            for (var i = 0L; i < nodesAt(l); i++)
            {
                index.Value = i;
                levels[l][i].CopyTo(hashBytes);
                hash.Value = hashBytes;
                await ExecuteAsync(node);
            }
        }
    }

    /// <summary>Sets the log head and the integrated tree at <paramref name="size"/>, commits, and checkpoints the WAL.</summary>
    public async Task FinishAsync(long size)
    {
        await using (var sizes = connection.CreateCommand())
        {
            sizes.Transaction = _transaction;
            sizes.CommandText = """UPDATE "LedgerHead" SET "Size" = @size WHERE "Id" = 1; UPDATE "LedgerTree" SET "Size" = @size WHERE "Id" = 1;""";
            Parameter(sizes, "@size", size);
            await sizes.ExecuteNonQueryAsync();
        }
        await CommitAsync();
        await BenchDatabase.ScalarAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    public static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public ValueTask DisposeAsync() => _transaction?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async Task CommitAsync()
    {
        if (_transaction is null)
            return;
        await _transaction.CommitAsync();
        await _transaction.DisposeAsync();
        _transaction = null;
    }
}
