using System.Data.Common;
using System.Threading.Channels;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Bench.Scenarios;

/// <summary>
/// Ledger appends per second with one writer and with N concurrent writers, against the raw durable
/// single-row INSERT rate of the same fresh database, as issue 4's benchmarks ask: one writer ≥ 70% of
/// the raw rate, 16 writers ≥ 3× one writer.
/// </summary>
internal static class LedgerAppendScenario
{
    private const double OneWriterTarget = 0.70;
    private const double ManyWritersTarget = 3.0;
    private static readonly TimeSpan SliceWarmup = TimeSpan.FromSeconds(0.2);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv)
    {
        var args = BenchArgs.Parse(argv, "provider", "connection", "seconds", "warmup", "writers", "max-batch", "breakdown", "rounds");
        var provider = args.Text("provider", "sqlite");
        var connection = args.Text("connection") ?? Environment.GetEnvironmentVariable("CHANGETRAIL_TEST_POSTGRES");
        var duration = TimeSpan.FromSeconds(args.Double("seconds", 10));
        var warmup = TimeSpan.FromSeconds(args.Double("warmup", 2));
        var writers = args.Int("writers", 16);
        var maxBatch = args.Int("max-batch", 64);
        var breakdownSeconds = args.Double("breakdown", 0);
        var rounds = args.Int("rounds", 5);

        var records = SampleRecords.Mixed(512, seed: 7, minBytes: 300, maxBytes: 1_700);
        var random = new Random(11);
        var actors = Enumerable.Range(0, 50).Select(_ =>
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }).ToArray();
        var ids = new IdSource();

        await using var database = await BenchDatabase.CreateAsync(provider, provider == "postgres" ? connection : null);
        Report.Header("ledger-append", argv,
            ("provider", await database.DescribeAsync()),
            ("each append", $"one LedgerAction with a canonical record (the app's CanonicalRecords of change requests, services, users, tokens; "
                + $"{records.Min(r => r.Json.Length)}-{records.Max(r => r.Json.Length)} B, mean {records.Average(r => r.Json.Length):F0} B) "
                + "plus one new ChangeNumbers row, on a new DbContext, saved by SaveChangesAsync: one transaction"),
            ("raw INSERT", "the same ChangeNumbers row alone: prepared ADO.NET command on one open connection, BEGIN; INSERT; COMMIT"),
            ("timing", $"per phase {duration.TotalSeconds:0.#} s measured, in {rounds} rounds: each round runs every phase for {duration.TotalSeconds / rounds:0.##} s "
                + $"in turn (after {warmup.TotalSeconds:0.#} s warm-up in round 1, {SliceWarmup.TotalSeconds:0.#} s in later ones); closed loop, each writer waits for its commit"));

        async Task AppendAsync(int writer) => await AppendOnAsync(database.Open());

        async Task AppendOnAsync(ChangeTrailDbContext context)
        {
            var id = ids.Next();
            await using var db = context;
            var now = DateTime.UtcNow;
            db.ChangeNumbers.Add(new ChangeNumber { Id = id, AllocatedAt = now });
            db.Record(Action(records, actors, id, now));
            await db.SaveChangesAsync();
        }

        await using var rawDb = database.Open();
        await rawDb.Database.OpenConnectionAsync(); // through EF, so the app's connection pragmas apply
        await using var insert = await RawInsert.PrepareAsync(rawDb.Database.GetDbConnection());
        await using var manualDb = database.Open();
        await manualDb.Database.OpenConnectionAsync();
        await using var manual = await ManualAppend.PrepareAsync(manualDb.Database.GetDbConnection(), database.IsSqlite);
        var committer = new GroupCommitter(database.Open, maxBatch);
        var phases = new (string Name, int Writers, Func<int, Task> Operation)[]
        {
            ("(a) raw durable INSERT, 1 row per transaction", 1, _ => insert.ExecuteAsync(ids.Next())),
            ("(a') the same row via EF SaveChangesAsync", 1, async _ =>
            {
                await using var db = database.Open();
                db.ChangeNumbers.Add(new ChangeNumber { Id = ids.Next(), AllocatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
            }),
            ("(b) ledger append, 1 writer", 1, AppendAsync),
            ("(b') the same append's SQL by hand, ADO.NET (bench variant)", 1, _ =>
            {
                var id = ids.Next();
                var now = DateTime.UtcNow;
                return manual.ExecuteAsync(id, now, Action(records, actors, id, now));
            }),
            ($"(c) ledger append, {writers} writers", writers, AppendAsync),
            ($"(d) {writers} writers, group commit (bench prototype)", writers, _ =>
            {
                var id = ids.Next();
                var now = DateTime.UtcNow;
                return committer.SubmitAsync(new ChangeNumber { Id = id, AllocatedAt = now }, Action(records, actors, id, now));
            }),
        };

        // Phases take turns, a slice each per round, so that a disk or CPU shared with other work slows them alike.
        var slices = phases.Select(_ => new List<PhaseResult>()).ToArray();
        var slice = duration / rounds;
        for (var round = 0; round < rounds; round++)
        {
            Progress($"round {round + 1} of {rounds}");
            for (var p = 0; p < phases.Length; p++)
            {
                var (name, count, operation) = phases[p];
                slices[p].Add(await Phase.RunAsync(name, count, round == 0 ? warmup : SliceWarmup, slice, operation));
            }
        }
        await committer.DisposeAsync();
        var meanBatch = committer.MeanBatch;
        var results = slices.Select(PhaseResult.Merge).ToList();
        var one = results[2];
        var handWritten = results[3];
        var many = results[4];
        var grouped = results[5];

        List<IReadOnlyList<string>>? breakdown = null;
        if (breakdownSeconds > 0)
        {
            Progress("(b) again, one writer, timing each step");
            var timing = new TimingInterceptor();
            var options = database.OptionsWith(timing);
            for (var i = 0; i < 200; i++)
                await AppendOnAsync(database.Open(options));
            timing.Reset();
            var appends = 0L;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds < breakdownSeconds)
            {
                await AppendOnAsync(database.Open(options));
                appends++;
            }
            var total = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1000 / appends;
            var steps = timing.Totals.OrderByDescending(t => t.Value.Ticks)
                .Select(t => (Name: t.Key, Us: t.Value.Ticks * 1e6 / System.Diagnostics.Stopwatch.Frequency / appends, PerAppend: t.Value.Count / (double)appends))
                .ToList();
            var rest = total - steps.Sum(t => t.Us);
            breakdown = [.. steps.Select(t => (IReadOnlyList<string>)[t.Name, Report.F(t.Us, 0), $"{t.Us / total * 100:F0} %", Report.F(t.PerAppend, 2)])];
            breakdown.Add(["the rest: new DbContext, EF change tracking and SQL generation, the head UPDATE ... RETURNING (sent around EF), "
                + "leaf JSON + hashes", Report.F(rest, 0), $"{rest / total * 100:F0} %", ""]);
            breakdown.Add([$"one append, {Report.N(appends)} appends in {breakdownSeconds:0.#} s", Report.F(total, 0), "100 %", ""]);
        }

        Progress("checking the ledger");
        var check = await CheckLedgerAsync(database);

        Report.Table(["phase", "writers", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "ops", "errors"],
            results.Select(r => (IReadOnlyList<string>)[r.Name, r.Writers.ToString(Report.Invariant), Report.F(r.PerSecond), Report.F(r.P50, 2),
                Report.F(r.P95, 2), Report.F(r.P99, 2), Report.F(r.Max, 1), Report.N(r.Operations), Report.N(r.Errors)]));

        var raw = results[0];
        var oneRatio = one.PerSecond / raw.PerSecond;
        var manyRatio = many.PerSecond / one.PerSecond;
        var groupedRatio = grouped.PerSecond / one.PerSecond;
        Report.Table(["target (issue 4)", "measured", "target", "verdict"],
        [
            ["one writer / raw INSERT  (b / a)", $"{oneRatio * 100:F1} %", $"≥ {OneWriterTarget * 100:F0} %", Report.Verdict(oneRatio >= OneWriterTarget)],
            [$"{writers} writers / one writer  (c / b)", $"{manyRatio:F2}×", $"≥ {ManyWritersTarget:F0}×", Report.Verdict(manyRatio >= ManyWritersTarget)],
            [$"for comparison, not the app's path: (d / b)", $"{groupedRatio:F2}×", $"≥ {ManyWritersTarget:F0}×", Report.Verdict(groupedRatio >= ManyWritersTarget)],
        ]);
        Console.WriteLine($"   (a') shows what EF alone costs: one writer / (a') = {one.PerSecond / results[1].PerSecond * 100:F1} %.");
        Console.WriteLine($"   (b') is the transaction LedgerAppender makes, written out in ADO.NET on one open connection (head UPDATE ... RETURNING, "
            + $"right-edge point lookups, INSERT entry, nodes and row, COMMIT): (b') / (a) = {handWritten.PerSecond / raw.PerSecond * 100:F1} %, "
            + "what this schema allows without EF.");
        Console.WriteLine($"   (d) gathers requests that arrive while a commit is in flight into one SaveChangesAsync (max {maxBatch}); "
            + $"mean batch {meanBatch:F1} appends. It lives in bench/ only.");
        if (breakdown is not null)
        {
            Console.WriteLine();
            Console.WriteLine("   where one writer's append spends its time (a second run of (b) with a timing interceptor, which adds a little):");
            Report.Table(["step", "µs per append", "share", "calls per append"], breakdown);
        }
        foreach (var failed in results.Where(r => r.Errors > 0))
            Console.WriteLine($"   errors in {failed.Name}: {failed.Errors}, first: {failed.FirstError}");
        Console.WriteLine($"   ledger check: {check}");
        return check.StartsWith("OK", StringComparison.Ordinal) ? 0 : 1;
    }

    private static LedgerAction Action(SampleRecord[] records, Guid[] actors, long id, DateTime now)
    {
        var record = records[id % records.Length];
        return new LedgerAction(now, actors[id % actors.Length], record.Action, record.SubjectType, record.SubjectId, record.Json);
    }

    private static void Progress(string what) => Console.Error.WriteLine($"   running {what} ...");

    /// <summary>
    /// After the run: the log is whole and consistent. Indexes run 0..size-1 with no gap, every stored leaf
    /// hash is the hash of its entry's columns, and every stored node equals the node recomputed from the leaves.
    /// </summary>
    private static async Task<string> CheckLedgerAsync(BenchDatabase database)
    {
        await using var db = database.Open();
        var size = (await db.LedgerHeads.AsNoTracking().SingleAsync()).Size;
        var tree = new MerkleTree();
        var expected = 0L;
        await foreach (var entry in db.LedgerEntries.AsNoTracking().OrderBy(e => e.Index).AsAsyncEnumerable())
        {
            if (entry.Index != expected)
                return $"FAILED: entry {expected} missing (next is {entry.Index})";
            var leafHash = entry.ComputeLeafHash();
            if (leafHash != Hash32.FromBytes(entry.LeafHash))
                return $"FAILED: entry {entry.Index}'s stored leaf hash is not the hash of its columns";
            tree.AppendLeaf(leafHash);
            expected++;
        }
        if (expected != size)
            return $"FAILED: head says {size} entries, table has {expected}";
        var nodes = 0L;
        await foreach (var node in db.LedgerNodes.AsNoTracking().AsAsyncEnumerable())
        {
            if (tree.SubtreeHash(node.Index << node.Level, 1L << node.Level) != Hash32.FromBytes(node.Hash))
                return $"FAILED: stored node {node.Level}/{node.Index} differs from the recomputed tree";
            nodes++;
        }
        var wanted = Enumerable.Range(0, 63).Sum(level => size >> level);
        if (nodes != wanted)
            return $"FAILED: {nodes} stored nodes, a tree of {size} has {wanted}";
        return $"OK: {Report.N(size)} entries, {Report.N(nodes)} nodes, each leaf hash recomputed from its columns, every stored node "
            + $"equal to the recomputed tree, root {tree.RootHash().ToHex()[..16]}…";
    }

    private sealed class IdSource
    {
        private long _last;

        public long Next() => Interlocked.Increment(ref _last);
    }

    /// <summary>The raw rate: BEGIN; INSERT one row; COMMIT, with a prepared command on one open connection.</summary>
    private sealed class RawInsert : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private readonly DbCommand _command;
        private readonly DbParameter _id;
        private readonly DbParameter _at;

        private RawInsert(DbConnection connection, DbCommand command, DbParameter id, DbParameter at)
        {
            _connection = connection;
            _command = command;
            _id = id;
            _at = at;
        }

        public static async Task<RawInsert> PrepareAsync(DbConnection connection)
        {
            var command = connection.CreateCommand();
            command.CommandText = """INSERT INTO "ChangeNumbers" ("Id", "AllocatedAt") VALUES (@id, @at)""";
            var id = command.CreateParameter();
            id.ParameterName = "@id";
            id.Value = 0L;
            command.Parameters.Add(id);
            var at = command.CreateParameter();
            at.ParameterName = "@at";
            at.Value = DateTime.UtcNow;
            command.Parameters.Add(at);
            await command.PrepareAsync();
            return new RawInsert(connection, command, id, at);
        }

        public async Task ExecuteAsync(long id)
        {
            await using var transaction = await _connection.BeginTransactionAsync();
            _command.Transaction = transaction;
            _id.Value = id;
            _at.Value = DateTime.UtcNow;
            await _command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }

    /// <summary>
    /// The transaction LedgerAppender makes, by hand on one open connection with prepared commands: what the
    /// same writes cost without EF. It follows the same protocol (head row first, then the right edge read
    /// from the table), so its entries interleave correctly with the other phases'.
    /// </summary>
    private sealed class ManualAppend : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private readonly bool _sqlite;
        private readonly DbCommand _head;
        private readonly DbCommand _node;
        private readonly DbCommand _entry;
        private readonly DbCommand _insertNode;
        private readonly DbCommand _row;

        private ManualAppend(DbConnection connection, bool sqlite, DbCommand head, DbCommand node, DbCommand entry, DbCommand insertNode, DbCommand row)
        {
            _connection = connection;
            _sqlite = sqlite;
            _head = head;
            _node = node;
            _entry = entry;
            _insertNode = insertNode;
            _row = row;
        }

        public static async Task<ManualAppend> PrepareAsync(DbConnection connection, bool sqlite)
        {
            var guid = sqlite ? (object)Guid.Empty.ToString().ToUpperInvariant() : Guid.Empty;
            return new ManualAppend(connection, sqlite,
                await CommandAsync(connection, """UPDATE "LedgerHead" SET "Size" = "Size" + @count WHERE "Id" = 1 RETURNING "Size" """, ("@count", 1L)),
                await CommandAsync(connection, """SELECT "Hash" FROM "LedgerNode" WHERE "Level" = @level AND "Index" = @index""", ("@level", 0), ("@index", 0L)),
                await CommandAsync(connection, """
                    INSERT INTO "LedgerEntry" ("Index", "At", "ActorId", "Action", "SubjectType", "SubjectId", "Record", "LeafHash")
                    VALUES (@index, @at, @actor, @action, @subjectType, @subjectId, @record, @leafHash)
                    """, ("@index", 0L), ("@at", DateTime.UtcNow), ("@actor", guid), ("@action", ""), ("@subjectType", ""), ("@subjectId", ""),
                    ("@record", ""), ("@leafHash", new byte[32])),
                await CommandAsync(connection, """INSERT INTO "LedgerNode" ("Level", "Index", "Hash") VALUES (@level, @index, @hash)""",
                    ("@level", 0), ("@index", 0L), ("@hash", new byte[32])),
                await CommandAsync(connection, """INSERT INTO "ChangeNumbers" ("Id", "AllocatedAt") VALUES (@id, @at)""", ("@id", 0L), ("@at", DateTime.UtcNow)));
        }

        private static async Task<DbCommand> CommandAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }
            await command.PrepareAsync();
            return command;
        }

        public async Task ExecuteAsync(long id, DateTime now, LedgerAction action)
        {
            await using var transaction = await _connection.BeginTransactionAsync();
            foreach (var command in new[] { _head, _node, _entry, _insertNode, _row })
                command.Transaction = transaction;
            var size = Convert.ToInt64(await _head.ExecuteScalarAsync(), Report.Invariant) - 1;
            var edge = MerkleMath.RootHashNodes(size);
            var hashes = new Hash32[edge.Length];
            for (var i = 0; i < edge.Length; i++)
            {
                _node.Parameters[0].Value = edge[i].Level;
                _node.Parameters[1].Value = edge[i].Index;
                hashes[i] = Hash32.FromBytes((byte[])(await _node.ExecuteScalarAsync())!);
            }
            var range = CompactRange.FromNodes(size, hashes);
            var leafHash = MerkleHash.Leaf(LedgerLeaf.Bytes(action.At, action.ActorId, action.Action, action.SubjectType, action.SubjectId, action.Record));
            var values = new object[]
            {
                size, action.At, _sqlite ? action.ActorId.ToString().ToUpperInvariant() : action.ActorId, action.Action, action.SubjectType,
                action.SubjectId, action.Record, leafHash.ToArray(),
            };
            for (var i = 0; i < values.Length; i++)
                _entry.Parameters[i].Value = values[i];
            await _entry.ExecuteNonQueryAsync();
            foreach (var node in range.Append(leafHash))
            {
                _insertNode.Parameters[0].Value = node.Level;
                _insertNode.Parameters[1].Value = node.Index;
                _insertNode.Parameters[2].Value = node.Hash.ToArray();
                await _insertNode.ExecuteNonQueryAsync();
            }
            _row.Parameters[0].Value = id;
            _row.Parameters[1].Value = now;
            await _row.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var command in new[] { _head, _node, _entry, _insertNode, _row })
                await command.DisposeAsync();
        }
    }

    /// <summary>
    /// A sketch of the group commit ARCHITECTURE.md allows ("Ledger under load"), for comparison only:
    /// requests queue up; one loop takes everything queued (up to a maximum), saves it with one
    /// SaveChangesAsync — each action with its row, in one transaction — and acknowledges each request
    /// only after that commit. A real one would also retry a batch's requests one by one when one fails.
    /// </summary>
    private sealed class GroupCommitter : IAsyncDisposable
    {
        private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Func<ChangeTrailDbContext> _open;
        private readonly int _maxBatch;
        private readonly Task _loop;
        private long _batches;
        private long _requests;

        public GroupCommitter(Func<ChangeTrailDbContext> open, int maxBatch)
        {
            _open = open;
            _maxBatch = maxBatch;
            _loop = Task.Run(LoopAsync);
        }

        public double MeanBatch => _batches == 0 ? 0 : (double)_requests / _batches;

        public Task SubmitAsync(ChangeNumber row, LedgerAction action)
        {
            var pending = new Pending(row, action, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!_queue.Writer.TryWrite(pending))
                throw new InvalidOperationException("The committer has stopped.");
            return pending.Done.Task;
        }

        private async Task LoopAsync()
        {
            var batch = new List<Pending>(_maxBatch);
            while (await _queue.Reader.WaitToReadAsync())
            {
                batch.Clear();
                while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var pending))
                    batch.Add(pending);
                try
                {
                    await using var db = _open();
                    foreach (var pending in batch)
                    {
                        db.ChangeNumbers.Add(pending.Row);
                        db.Record(pending.Action);
                    }
                    await db.SaveChangesAsync();
                    foreach (var pending in batch)
                        pending.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    foreach (var pending in batch)
                        pending.Done.TrySetException(e);
                }
                _batches++;
                _requests += batch.Count;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            await _loop;
        }

        private sealed record Pending(ChangeNumber Row, LedgerAction Action, TaskCompletionSource Done);
    }
}
