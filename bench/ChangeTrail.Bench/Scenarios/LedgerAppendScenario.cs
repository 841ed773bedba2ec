using System.Data.Common;
using System.Diagnostics;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Bench.Scenarios;

/// <summary>
/// Ledger appends per second with one writer and with N concurrent writers, against the raw durable
/// single-row INSERT rate of the same fresh database, as issue 4's benchmarks ask: one writer ≥ 70% of
/// the raw rate, 16 writers ≥ 3× one writer. Appends go through the app's own path: SaveChangesAsync with
/// its LedgerGroupCommit. The tree they leave for later, <see cref="LedgerIntegrator"/>, is timed after the run.
/// </summary>
internal static class LedgerAppendScenario
{
    private const double OneWriterTarget = 0.70;
    private const double ManyWritersTarget = 3.0;
    private static readonly TimeSpan SliceWarmup = TimeSpan.FromSeconds(0.2);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv)
    {
        var args = BenchArgs.Parse(argv, "provider", "connection", "seconds", "warmup", "writers", "breakdown", "rounds");
        var provider = args.Text("provider", "sqlite");
        var connection = args.Text("connection") ?? Environment.GetEnvironmentVariable("CHANGETRAIL_TEST_POSTGRES");
        var duration = TimeSpan.FromSeconds(args.Double("seconds", 10));
        var warmup = TimeSpan.FromSeconds(args.Double("warmup", 2));
        var writers = args.Int("writers", 16);
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
                + "plus one new ChangeNumbers row, on a new DbContext, saved by the app's SaveChangesAsync through its LedgerGroupCommit: "
                + "the leaf hash computed, then in one transaction EF's batch inserting the row, one statement advancing the head and inserting "
                + "the LedgerEntry (with its leaf hash) after it, COMMIT. No tree nodes are read or written: LedgerIntegrator builds them later, "
                + "timed apart after the run"),
            ("group commit", $"(b) and (c) each have one LedgerGroupCommit that all their writers' contexts share, as a server instance has "
                + $"(max {LedgerGroupCommit.MaxBatch} saves per transaction, {database.GroupCommit.ConcurrentBatches} batch(es) in flight at once): "
                + "saves that arrive while another commits share the next transaction "
                + "(each save's rows in turn, then every save's entry in one head-advancing statement), and each writer's save returns only after that commit"),
            ("raw INSERT", "the same ChangeNumbers row alone: prepared ADO.NET command on one open connection, BEGIN; INSERT; COMMIT"),
            ("timing", $"per phase {duration.TotalSeconds:0.#} s measured, in {rounds} rounds: each round runs every phase for {duration.TotalSeconds / rounds:0.##} s "
                + $"in turn (after {warmup.TotalSeconds:0.#} s warm-up in round 1, {SliceWarmup.TotalSeconds:0.#} s in later ones); closed loop, each writer waits for its commit"));

        // The ledger's own part alone: the same action recorded on a context with nothing else to save.
        async Task EntryOnlyOnAsync(ChangeTrailDbContext context)
        {
            var id = ids.Next();
            await using var db = context;
            db.Record(Action(records, actors, id, DateTime.UtcNow));
            await db.SaveChangesAsync();
        }

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
        // One group commit per phase, each standing for one server instance's: its mean batch is that phase's alone.
        var oneWriterCommit = database.NewGroupCommit();
        var manyWritersCommit = database.NewGroupCommit();
        var entryOnlyCommit = database.NewGroupCommit();
        var phases = new (string Name, int Writers, Func<int, Task> Operation)[]
        {
            ("(a) raw durable INSERT, 1 row per transaction", 1, _ => insert.ExecuteAsync(ids.Next())),
            ("(a') the same row via EF SaveChangesAsync", 1, async _ =>
            {
                await using var db = database.Open();
                db.ChangeNumbers.Add(new ChangeNumber { Id = ids.Next(), AllocatedAt = DateTime.UtcNow });
                await db.SaveChangesAsync();
            }),
            ("(b) ledger append, 1 writer", 1, _ => AppendOnAsync(database.Open(oneWriterCommit))),
            ("(b') the same append's SQL by hand, ADO.NET (bench variant)", 1, _ =>
            {
                var id = ids.Next();
                var now = DateTime.UtcNow;
                return manual.ExecuteAsync(id, now, Action(records, actors, id, now));
            }),
            ($"(c) ledger append, {writers} writers", writers, _ => AppendOnAsync(database.Open(manyWritersCommit))),
            ("(d) the ledger entry alone, 1 writer (no row of its own)", 1, _ => EntryOnlyOnAsync(database.Open(entryOnlyCommit))),
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
        var results = slices.Select(PhaseResult.Merge).ToList();
        var raw = results[0];
        var one = results[2];
        var handWritten = results[3];
        var many = results[4];
        var entryOnly = results[5];

        List<IReadOnlyList<string>>? breakdown = null;
        List<IReadOnlyList<string>>? manualBreakdown = null;
        if (breakdownSeconds > 0)
        {
            Progress("(b) again, one writer, timing each step");
            var timing = new TimingInterceptor();
            var options = database.OptionsWith(timing);
            var breakdownCommit = database.NewGroupCommit();
            for (var i = 0; i < 200; i++)
                await AppendOnAsync(database.Open(options, breakdownCommit));
            timing.Reset();
            var appends = 0L;
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started).TotalSeconds < breakdownSeconds)
            {
                await AppendOnAsync(database.Open(options, breakdownCommit));
                appends++;
            }
            var total = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1000 / appends;
            var steps = timing.Totals.OrderByDescending(t => t.Value.Ticks)
                .Select(t => (Name: t.Key, Us: t.Value.Ticks * 1e6 / Stopwatch.Frequency / appends, PerAppend: t.Value.Count / (double)appends))
                .ToList();
            var rest = total - steps.Sum(t => t.Us);
            breakdown = [.. steps.Select(t => (IReadOnlyList<string>)[t.Name, Report.F(t.Us, 0), $"{t.Us / total * 100:F0} %", Report.F(t.PerAppend, 2)])];
            breakdown.Add(["the rest: new DbContext, group commit hand-off, EF change tracking and SQL generation, leaf JSON + hash, "
                + "the statement advancing the head and inserting the entry (sent around EF: timed in (b') below)", Report.F(rest, 0), $"{rest / total * 100:F0} %", ""]);
            breakdown.Add([$"one append, {Report.N(appends)} appends in {breakdownSeconds:0.#} s, mean batch {breakdownCommit.MeanBatch:F2}",
                Report.F(total, 0), "100 %", ""]);

            Progress("(b') again, timing each step");
            var manualSteps = new StepTimes();
            for (var i = 0; i < 200; i++)
            {
                var id = ids.Next();
                var now = DateTime.UtcNow;
                await manual.ExecuteAsync(id, now, Action(records, actors, id, now));
            }
            var manualAppends = 0L;
            started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started).TotalSeconds < breakdownSeconds)
            {
                var id = ids.Next();
                var now = DateTime.UtcNow;
                await manual.ExecuteAsync(id, now, Action(records, actors, id, now), manualSteps);
                manualAppends++;
            }
            var manualTotal = Stopwatch.GetElapsedTime(started).TotalMilliseconds * 1000 / manualAppends;
            manualBreakdown = [.. manualSteps.Totals.Select(t =>
            {
                var us = t.Ticks * 1e6 / Stopwatch.Frequency / manualAppends;
                return (IReadOnlyList<string>)[t.Name, Report.F(us, 0), $"{us / manualTotal * 100:F0} %"];
            })];
            var manualRest = manualTotal - manualSteps.Totals.Sum(t => t.Ticks * 1e6 / Stopwatch.Frequency / manualAppends);
            manualBreakdown.Add(["the rest: setting parameters, the bench's loop", Report.F(manualRest, 0), $"{manualRest / manualTotal * 100:F0} %"]);
            manualBreakdown.Add([$"one append, {Report.N(manualAppends)} appends in {breakdownSeconds:0.#} s", Report.F(manualTotal, 0), "100 %"]);
        }

        Progress("integrating the tree (LedgerIntegrator) and checking the ledger");
        var check = await CheckLedgerAsync(database);

        Report.Table(["phase", "writers", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "ops", "errors"],
            results.Select(r => (IReadOnlyList<string>)[r.Name, r.Writers.ToString(Report.Invariant), Report.F(r.PerSecond), Report.F(r.P50, 2),
                Report.F(r.P95, 2), Report.F(r.P99, 2), Report.F(r.Max, 1), Report.N(r.Operations), Report.N(r.Errors)]));

        var oneRatio = one.PerSecond / raw.PerSecond;
        var manyRatio = many.PerSecond / one.PerSecond;
        Report.Table(["target (issue 4)", "measured", "target", "verdict"],
        [
            ["one writer / raw INSERT  (b / a)", $"{oneRatio * 100:F1} %", $"≥ {OneWriterTarget * 100:F0} %", Report.Verdict(oneRatio >= OneWriterTarget)],
            [$"{writers} writers / one writer  (c / b)", $"{manyRatio:F2}×", $"≥ {ManyWritersTarget:F0}×", Report.Verdict(manyRatio >= ManyWritersTarget)],
        ]);
        Console.WriteLine($"   (a') shows what EF alone costs: (a') / (a) = {results[1].PerSecond / raw.PerSecond * 100:F1} %, one writer / (a') = "
            + $"{one.PerSecond / results[1].PerSecond * 100:F1} %.");
        Console.WriteLine($"   (d) is the ledger's own part of (b): the same action and entry through the same path, with no row of the action's own: "
            + $"(d) / (a) = {entryOnly.PerSecond / raw.PerSecond * 100:F1} %.");
        Console.WriteLine($"   (b') is the transaction the app's append makes, written out in ADO.NET on one open connection, without group commit "
            + $"(leaf hash, then BEGIN, INSERT row, head advance + INSERT entry with its leaf hash, COMMIT): (b') / (a) = "
            + $"{handWritten.PerSecond / raw.PerSecond * 100:F1} %, what this schema allows without EF.");
        Console.WriteLine($"   group commit (the app's LedgerGroupCommit): mean {oneWriterCommit.MeanBatch:F2} saves per transaction in (b), "
            + $"{manyWritersCommit.MeanBatch:F2} in (c) (max {LedgerGroupCommit.MaxBatch}; warm-ups included).");
        if (check.Integrated > 0)
        {
            var perEntry = check.IntegrationSeconds / check.Integrated;
            var charged = 1 / (1 / one.PerSecond + perEntry);
            Console.WriteLine($"   deferred cost: the appends wrote no tree nodes; afterwards, integration of {Report.N(check.Integrated)} entries took "
                + $"{check.IntegrationSeconds:F2} s ({check.Integrated / check.IntegrationSeconds:N0} entries/s, {perEntry * 1e6:F0} µs per entry; "
                + $"LedgerIntegrator.IntegrateAsync on a fresh context, {LedgerIntegrator.BatchSize} entries per transaction, nothing else running). "
                + $"Charged to each append, (b) would be {charged:N0} appends/s = {charged / raw.PerSecond * 100:F1} % of (a). The app integrates "
                + "on demand, when a proof or checkpoint needs a size the tree does not reach yet: that request pays for every entry since.");
        }
        if (breakdown is not null)
        {
            Console.WriteLine();
            Console.WriteLine("   where one writer's append spends its time (a second run of (b) with a timing interceptor, which adds a little):");
            Report.Table(["step", "µs per append", "share", "calls per append"], breakdown);
            Console.WriteLine("   the same transaction by hand, (b') again with a stopwatch around each step:");
            Report.Table(["step", "µs per append", "share"], manualBreakdown!);
        }
        foreach (var failed in results.Where(r => r.Errors > 0))
            Console.WriteLine($"   errors in {failed.Name}: {failed.Errors}, first: {failed.FirstError}");
        Console.WriteLine($"   ledger check: {check.Message}");
        return check.Ok ? 0 : 1;
    }

    private static LedgerAction Action(SampleRecord[] records, Guid[] actors, long id, DateTime now)
    {
        var record = records[id % records.Length];
        return new LedgerAction(now, actors[id % actors.Length], record.Action, record.SubjectType, record.SubjectId, record.Json);
    }

    private static void Progress(string what) => Console.Error.WriteLine($"   running {what} ...");

    /// <summary>What <see cref="CheckLedgerAsync"/> found, and what integrating the tree cost.</summary>
    private sealed record LedgerCheck(bool Ok, string Message, long Integrated, double IntegrationSeconds);

    /// <summary>
    /// After the run: first the deferred half of the appends, <see cref="LedgerIntegrator.IntegrateAsync"/> on a fresh
    /// context, timed. Then the log is whole and consistent: indexes run 0..size-1 with no gap, every stored leaf hash
    /// is the hash of its entry's columns, every stored node (levels 1 and up; a leaf's hash is its entry's) equals
    /// the node recomputed from the leaves, and there are exactly as many nodes as a tree of that size has.
    /// </summary>
    private static async Task<LedgerCheck> CheckLedgerAsync(BenchDatabase database)
    {
        long before;
        long integratedSize;
        TimeSpan took;
        await using (var integrating = database.Open())
        {
            before = await LedgerIntegrator.SizeAsync(integrating, CancellationToken.None);
            var started = Stopwatch.GetTimestamp();
            integratedSize = await LedgerIntegrator.IntegrateAsync(integrating, CancellationToken.None);
            took = Stopwatch.GetElapsedTime(started);
        }
        var integrated = integratedSize - before;
        var integration = $"integration of {Report.N(integrated)} entries took {took.TotalSeconds:F2} s "
            + $"({(integrated == 0 ? 0 : integrated / took.TotalSeconds):N0} entries/s)";
        LedgerCheck Failed(string why) => new(false, $"FAILED: {why} ({integration})", integrated, took.TotalSeconds);

        await using var db = database.Open();
        var size = (await db.LedgerHeads.AsNoTracking().SingleAsync()).Size;
        var treeSize = await LedgerIntegrator.SizeAsync(db, CancellationToken.None);
        if (treeSize != size)
            return Failed($"the head says {size} entries, the integrated tree reaches {treeSize}");
        var tree = new MerkleTree();
        var expected = 0L;
        await foreach (var entry in db.LedgerEntries.AsNoTracking().OrderBy(e => e.Index).AsAsyncEnumerable())
        {
            if (entry.Index != expected)
                return Failed($"entry {expected} missing (next is {entry.Index})");
            var leafHash = entry.ComputeLeafHash();
            if (leafHash != Hash32.FromBytes(entry.LeafHash))
                return Failed($"entry {entry.Index}'s stored leaf hash is not the hash of its columns");
            tree.AppendLeaf(leafHash);
            expected++;
        }
        if (expected != size)
            return Failed($"head says {size} entries, table has {expected}");
        var nodes = 0L;
        await foreach (var node in db.LedgerNodes.AsNoTracking().AsAsyncEnumerable())
        {
            if (node.Level < 1)
                return Failed($"stored node {node.Level}/{node.Index}: LedgerNode holds levels 1 and up, a leaf's hash is its entry's LeafHash");
            if ((node.Index + 1) << node.Level > size || tree.SubtreeHash(node.Index << node.Level, 1L << node.Level) != Hash32.FromBytes(node.Hash))
                return Failed($"stored node {node.Level}/{node.Index} differs from the recomputed tree");
            nodes++;
        }
        var wanted = Enumerable.Range(1, 62).Sum(level => size >> level);
        if (nodes != wanted)
            return Failed($"{nodes} stored nodes, a tree of {size} has {wanted} at levels 1 and up");
        return new(true, $"OK: {integration}; then {Report.N(size)} entries without a gap, each leaf hash recomputed from its columns, "
            + $"{Report.N(nodes)} stored nodes (levels 1-62, as many as a tree of {Report.N(size)} has), each equal to the recomputed tree, "
            + $"root {tree.RootHash().ToHex()[..16]}…", integrated, took.TotalSeconds);
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
    /// The transaction LedgerAppend makes, by hand on one open connection with prepared commands and without group
    /// commit: what the same writes cost without EF. The leaf hash is computed before BEGIN, as the app does; then
    /// the row is inserted, one statement advances the head (which takes the log's lock) and inserts the entry with
    /// its leaf hash after it (two statements on SQLite, which cannot UPDATE inside a WITH), and the transaction
    /// commits. It takes the same lock, so its entries interleave correctly with the other phases'.
    /// </summary>
    private sealed class ManualAppend : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private readonly bool _sqlite;
        private readonly DbCommand _row;
        private readonly DbCommand _entry;

        private ManualAppend(DbConnection connection, bool sqlite, DbCommand row, DbCommand entry)
        {
            _connection = connection;
            _sqlite = sqlite;
            _row = row;
            _entry = entry;
        }

        public static async Task<ManualAppend> PrepareAsync(DbConnection connection, bool sqlite)
        {
            var guid = sqlite ? (object)Guid.Empty.ToString().ToUpperInvariant() : Guid.Empty;
            const string Insert = """
                INSERT INTO "LedgerEntry" ("Index", "At", "ActorId", "Action", "SubjectType", "SubjectId", "Record", "LeafHash")
                """;
            const string Values = "@at, @actor, @action, @subjectType, @subjectId, @record, @leafHash";
            var entrySql = sqlite
                ? $"""
                   UPDATE "LedgerHead" SET "Size" = "Size" + 1 WHERE "Id" = 1;
                   {Insert} SELECT (SELECT "Size" FROM "LedgerHead" WHERE "Id" = 1) - 1, {Values}
                   """
                : $"""
                   WITH head AS (UPDATE "LedgerHead" SET "Size" = "Size" + 1 WHERE "Id" = 1 RETURNING "Size" - 1 AS first)
                   {Insert} SELECT head.first, {Values} FROM head
                   """;
            return new ManualAppend(connection, sqlite,
                await CommandAsync(connection, """INSERT INTO "ChangeNumbers" ("Id", "AllocatedAt") VALUES (@id, @at)""", ("@id", 0L), ("@at", DateTime.UtcNow)),
                await CommandAsync(connection, entrySql, ("@at", DateTime.UtcNow), ("@actor", guid), ("@action", ""), ("@subjectType", ""),
                    ("@subjectId", ""), ("@record", ""), ("@leafHash", new byte[32])));
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

        /// <summary>One append; with <paramref name="steps"/>, the time of each step is added to it.</summary>
        public async Task ExecuteAsync(long id, DateTime now, LedgerAction action, StepTimes? steps = null)
        {
            var mark = Stopwatch.GetTimestamp();
            var leafHash = MerkleHash.Leaf(LedgerLeaf.Bytes(action.At, action.ActorId, action.Action, action.SubjectType, action.SubjectId, action.Record));
            mark = steps?.Add("leaf JSON + hash (before BEGIN)", mark) ?? mark;
            await using var transaction = await _connection.BeginTransactionAsync();
            mark = steps?.Add("BEGIN", mark) ?? mark;
            _row.Transaction = transaction;
            _entry.Transaction = transaction;
            _row.Parameters[0].Value = id;
            _row.Parameters[1].Value = now;
            await _row.ExecuteNonQueryAsync();
            mark = steps?.Add("INSERT ChangeNumbers row", mark) ?? mark;
            var values = new object[]
            {
                action.At, _sqlite ? action.ActorId.ToString().ToUpperInvariant() : action.ActorId, action.Action, action.SubjectType,
                action.SubjectId, action.Record, leafHash.ToArray(),
            };
            for (var i = 0; i < values.Length; i++)
                _entry.Parameters[i].Value = values[i];
            await _entry.ExecuteNonQueryAsync();
            mark = steps?.Add("head advance + INSERT entry with its leaf hash (takes the log's lock)", mark) ?? mark;
            await transaction.CommitAsync();
            steps?.Add("COMMIT (the durable flush)", mark);
        }

        public async ValueTask DisposeAsync()
        {
            await _row.DisposeAsync();
            await _entry.DisposeAsync();
        }
    }

    /// <summary>Time per named step, in the order the steps first ran; one writer only.</summary>
    private sealed class StepTimes
    {
        private readonly List<(string Name, long Ticks)> _totals = [];

        public IReadOnlyList<(string Name, long Ticks)> Totals => _totals;

        /// <summary>Adds the time since <paramref name="since"/> to <paramref name="name"/>; returns now, the next step's start.</summary>
        public long Add(string name, long since)
        {
            var now = Stopwatch.GetTimestamp();
            var i = _totals.FindIndex(t => t.Name == name);
            if (i < 0)
                _totals.Add((name, now - since));
            else
                _totals[i] = (name, _totals[i].Ticks + now - since);
            return now;
        }
    }
}
