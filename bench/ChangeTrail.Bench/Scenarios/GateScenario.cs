using System.Data.Common;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChangeTrail.Bench.Http;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace ChangeTrail.Bench.Scenarios;

/// <summary>
/// Gate decisions per second on the real server at 100,000 change requests and 1,000,000 ledger entries, at 32 concurrent
/// clients, with their median and p99 latency; on the same run, as floors, the raw durable single-row commit rate of the
/// same database (sequential and at 32 connections), GET /healthz and the cheapest authenticated request (the static risk
/// questionnaire with a token) at 32 clients: what no gate decision can beat on this machine. Targets: median ≤ 2 ms, p99 ≤ 20 ms,
/// decisions/s ≥ 2× the raw commit rate (each decision is a durable ledger write, so this needs group commit).
/// </summary>
internal static class GateScenario
{
    private const double MedianTargetMs = 2;
    private const double P99TargetMs = 20;
    private const double RawTarget = 2;
    private const string GateService = "gate-bench";
    private static readonly TimeSpan SliceWarmup = TimeSpan.FromSeconds(0.5);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv)
    {
        var args = BenchArgs.Parse(argv, "provider", "connection", "changes", "entries", "approved", "clients", "seconds", "warmup", "rounds");
        var provider = args.Text("provider", "sqlite");
        var connection = args.Text("connection") ?? Environment.GetEnvironmentVariable("CHANGETRAIL_TEST_POSTGRES");
        var changes = args.Int("changes", 100_000);
        var entries = args.Long("entries", 1_000_000);
        var approved = Math.Min(args.Int("approved", 200), changes);
        var clients = args.Int("clients", 32);
        var duration = TimeSpan.FromSeconds(args.Double("seconds", 10));
        var warmup = TimeSpan.FromSeconds(args.Double("warmup", 30));
        var rounds = args.Int("rounds", 2);

        await using var database = await BenchDatabase.CreateAsync(provider, provider == "postgres" ? connection : null);
        var dataDirectory = Directory.CreateTempSubdirectory("changetrail-bench-data");
        try
        {
            Progress($"seeding {Report.N(entries)} ledger entries (tree integrated)");
            var seedLedger = Stopwatch.StartNew();
            await SeedLedgerAsync(database, entries);
            seedLedger.Stop();
            Progress($"seeding {Report.N(changes)} change requests through the domain's Create ({Report.N(approved)} submitted and approved)");
            var seedChanges = Stopwatch.StartNew();
            var gateChanges = await SeedChangesAsync(database, changes, approved);
            seedChanges.Stop();
            long headSize;
            await using (var db = database.Open())
                headSize = (await db.LedgerHeads.AsNoTracking().SingleAsync()).Size;

            Progress("starting the server");
            await using var server = new BenchServer(database, dataDirectory.FullName);
            using var admin = LoadRunner.NewClient(server.Address);
            var token = await PipelineTokenAsync(admin);

            Report.Header("gate", argv,
                ("provider", await database.DescribeAsync()),
                ("seed", $"{Report.N(entries)} ledger entries (bulk: {(database.IsSqlite ? "prepared INSERTs, 200,000 rows per transaction" : "binary COPY")}, "
                    + $"records of the app's canonical kinds 300-1,700 B, leaf hashes of their columns, tree integrated: LedgerNode, LedgerHead and LedgerTree) "
                    + $"in {seedLedger.Elapsed.TotalSeconds:F1} s; then {Report.N(changes)} change requests through the domain's Create, 2,000 per SaveChanges, "
                    + $"{Report.N(approved)} of them naming service '{GateService}' (staging + production) and a commit, submitted and approved through the domain, "
                    + $"in {seedChanges.Elapsed.TotalSeconds:F1} s; ledger head at {Report.N(headSize)} entries when the server starts"),
                ("server", $"src/ChangeTrail.Server in this process: Kestrel on {server.Address}, Production environment, set up by POST /api/v1/setup; "
                    + "the load generator shares the machine's cores with it"),
                ("gate", $"POST /api/v1/gate with a service account's token (scope gate, role Implementer): one of the {Report.N(approved)} approved changes, "
                    + $"'{GateService}', staging or production in turn, the change's own commit. No evidence is uploaded, so most answers are deny; "
                    + "every answer, allow or deny, is a GateDecision row plus a ledger entry in one durable transaction (the app's group commit)"),
                ("raw commit", "BEGIN; INSERT one row into a scratch table; COMMIT: a prepared ADO.NET command per connection opened through the app's "
                    + "options (its pragmas), sequential on one connection and on as many connections as clients"),
                ("timing", $"{clients} concurrent keep-alive clients, closed loop; each phase {duration.TotalSeconds:0.#} s measured in {rounds} rounds "
                    + $"(each round runs every phase in turn; {warmup.TotalSeconds:0.#} s warm-up in round 1, {SliceWarmup.TotalSeconds:0.#} s later)"));

            using var load = LoadRunner.NewClient(server.Address);
            var questions = 0L;
            HttpRequestMessage GateRequest()
            {
                var n = Interlocked.Increment(ref questions);
                var change = gateChanges[(int)(n % gateChanges.Length)];
                var message = new HttpRequestMessage(HttpMethod.Post, "/api/v1/gate")
                {
                    Content = JsonContent.Create(new GateRequest(change.Number, null, GateService, n % 2 == 0 ? "staging" : "production", change.Commit, null), options: ApiJson.Options),
                };
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return message;
            }
            var allowed = 0L;
            var denied = 0L;
            async Task AskAsync()
            {
                using var response = await load.SendAsync(GateRequest(), HttpCompletionOption.ResponseContentRead);
                if ((int)response.StatusCode != 200)
                    throw new HttpRequestException($"POST /api/v1/gate: {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                var answer = await response.Content.ReadFromJsonAsync<GateResponse>(ApiJson.Options);
                Interlocked.Increment(ref answer!.Decision == "allow" ? ref allowed : ref denied);
            }

            await using var raw = await RawCommits.CreateAsync(database, clients);
            var phases = new (string Name, int Writers, Func<int, Task> Operation)[]
            {
                ($"POST /api/v1/gate", clients, _ => AskAsync()),
                ("GET /healthz", clients, _ => LoadRunner.SendAsync(load, () => new HttpRequestMessage(HttpMethod.Get, "/healthz"))),
                // The cheapest authenticated API request (a static body, no query): the most any API request can do here.
                ($"GET {AuthOverheadScenario.Questionnaire} (Bearer)", clients, _ => LoadRunner.SendAsync(admin, () => new HttpRequestMessage(HttpMethod.Get, AuthOverheadScenario.Questionnaire))),
                ("raw durable commit, 1 connection", 1, raw.ExecuteAsync),
                ($"raw durable commit, {clients} connections", clients, raw.ExecuteAsync),
            };
            var slices = phases.Select(_ => new List<PhaseResult>()).ToArray();
            for (var round = 0; round < rounds; round++)
            {
                for (var p = 0; p < phases.Length; p++)
                {
                    var (name, writers, operation) = phases[p];
                    Progress($"round {round + 1} of {rounds}: {name}");
                    slices[p].Add(await Phase.RunAsync(name, writers, round == 0 ? warmup : SliceWarmup, duration / rounds, operation));
                }
            }
            var results = slices.Select(PhaseResult.Merge).ToList();
            var gate = results[0];
            var health = results[1];
            var authenticated = results[2];
            var rawOne = results[3];
            var rawMany = results[4];

            Report.Table(["phase", "clients", "ops/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "ops", "errors"],
                results.Select(r => (IReadOnlyList<string>)[r.Name, r.Writers.ToString(Report.Invariant), Report.F(r.PerSecond), Report.F(r.P50, 2),
                    Report.F(r.P95, 2), Report.F(r.P99, 2), Report.F(r.Max, 1), Report.N(r.Operations), Report.N(r.Errors)]));

            var rawBest = Math.Max(rawOne.PerSecond, rawMany.PerSecond);
            var ratioOne = gate.PerSecond / rawOne.PerSecond;
            var ratioBest = gate.PerSecond / rawBest;
            Report.Table(["target (issue)", "measured", "target", "verdict"],
            [
                [$"gate median latency, {clients} clients", $"{Report.F(gate.P50, 2)} ms", $"≤ {MedianTargetMs:F0} ms", Report.Verdict(gate.P50 <= MedianTargetMs)],
                [$"gate p99 latency, {clients} clients", $"{Report.F(gate.P99, 2)} ms", $"≤ {P99TargetMs:F0} ms", Report.Verdict(gate.P99 <= P99TargetMs)],
                ["gate decisions/s / raw durable commits/s, 1 connection", $"{ratioOne:F2}×", $"≥ {RawTarget:F0}×", Report.Verdict(ratioOne >= RawTarget)],
                [$"gate decisions/s / raw durable commits/s, the better of 1 and {clients} connections", $"{ratioBest:F2}×", $"≥ {RawTarget:F0}×",
                    Report.Verdict(ratioBest >= RawTarget)],
            ]);
            Console.WriteLine($"   gate / GET /healthz (both at {clients} clients): {gate.PerSecond / health.PerSecond * 100:F1} % "
                + $"({Report.F(gate.PerSecond, 0)} vs {Report.F(health.PerSecond, 0)} requests/s).");
            Console.WriteLine($"   gate / GET {AuthOverheadScenario.Questionnaire} with a token (both at {clients} clients): {gate.PerSecond / authenticated.PerSecond * 100:F1} % "
                + $"({Report.F(gate.PerSecond, 0)} vs {Report.F(authenticated.PerSecond, 0)} requests/s); the fastest any authenticated request can go here "
                + $"is {authenticated.PerSecond / rawBest:F2}× the raw commit rate.");
            Console.WriteLine($"   answers: {Report.N(allowed)} allow, {Report.N(denied)} deny (warm-ups included).");
            var serverCommit = server.Services.GetRequiredService<LedgerGroupCommit>();
            Console.WriteLine($"   the server's group commit: mean {serverCommit.MeanBatch:F2} saves per transaction (max {LedgerGroupCommit.MaxBatch}, "
                + $"{serverCommit.ConcurrentBatches} batch(es) in flight; setup and warm-ups included).");
            await using (var db = database.Open())
            {
                var after = (await db.LedgerHeads.AsNoTracking().SingleAsync()).Size;
                var decisions = await db.GateDecisions.CountAsync();
                Console.WriteLine($"   ledger: {Report.N(after)} entries at the end ({Report.N(after - headSize)} written during the run; "
                    + $"{Report.N(decisions)} GateDecision rows). The server's group commit batches its transactions; each raw commit is one row.");
            }
            foreach (var failed in results.Where(r => r.Errors > 0))
                Console.WriteLine($"   errors in {failed.Name}: {failed.Errors}, first: {failed.FirstError}");
            return results.Any(r => r.Errors > 0) ? 1 : 0;
        }
        finally
        {
            SqliteClear();
            dataDirectory.Delete(recursive: true);
        }
    }

    private static void SqliteClear() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

    private static void Progress(string what) => Console.Error.WriteLine($"   {DateTime.UtcNow:HH:mm:ss} {what} ...");

    /// <summary>Sets the server up, then a service account (Implementer) and its token with scope gate; returns the token.</summary>
    private static async Task<string> PipelineTokenAsync(HttpClient client)
    {
        var setup = await client.PostAsJsonAsync("/api/v1/setup",
            new SetupRequest("admin@bench.example", "Bench Admin", "a long enough bench password", BenchServer.SetupCode));
        await EnsureAsync(setup);
        var adminToken = (await setup.Content.ReadFromJsonAsync<SetupResponse>())!.Token;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var account = await client.PostAsJsonAsync("/api/v1/service-accounts", new CreateServiceAccountRequest("bench-pipeline", [Role.Implementer]), ApiJson.Options);
        await EnsureAsync(account);
        var id = (await account.Content.ReadFromJsonAsync<CreatedResponse>(ApiJson.Options))!.Id;
        var created = await client.PostAsJsonAsync($"/api/v1/service-accounts/{id}/tokens", new CreateTokenRequest("bench-gate", [Scopes.Gate], null), ApiJson.Options);
        await EnsureAsync(created);
        return (await created.Content.ReadFromJsonAsync<CreatedTokenResponse>(ApiJson.Options))!.Token;
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} "
                + await response.Content.ReadAsStringAsync());
    }

    private sealed record GateChange(string Number, string Commit);

    /// <summary>
    /// <paramref name="count"/> change requests through the domain's Create (as <c>list</c> seeds them) on 20 services, and a service
    /// with staging and production that the first <paramref name="approved"/> name, each with a commit of its own, submitted and approved.
    /// </summary>
    private static async Task<GateChange[]> SeedChangesAsync(BenchDatabase database, int count, int approved)
    {
        var now = DateTime.UtcNow;
        var questionnaire = DefaultRiskQuestionnaire.Instance;
        var services = Enumerable.Range(0, 20)
            .Select(i => Service.Create(Guid.NewGuid(), $"service-{i}", null, i % 7 == 0, false, [], now).Value!)
            .ToList();
        var gateService = Service.Create(Guid.NewGuid(), GateService, null, false, false,
            [new ServiceEnvironment("staging", false), new ServiceEnvironment("production", true)], now).Value!;
        await using (var db = database.Open())
        {
            db.Services.AddRange(services);
            db.Services.Add(gateService);
            await db.SaveChangesAsync();
        }

        var requestor = new Actor(Guid.NewGuid(), "bench@example.test", false, new HashSet<Role> { Role.Requestor });
        var approvers = Enumerable.Range(0, 6).Select(i => new Actor(Guid.NewGuid(), $"approver{i}@example.test", false,
            new HashSet<Role> { Role.ChangeApprover, Role.SecurityReviewer, Role.CabMember, Role.HeadOfEngineering, Role.SecurityOfficer })).ToList();
        var random = new Random(42);
        var gateChanges = new List<GateChange>();
        const int Batch = 2_000;
        for (var done = 0; done < count; done += Batch)
        {
            await using var db = database.Open();
            for (var i = done; i < Math.Min(count, done + Batch); i++)
            {
                var forGate = i < approved;
                var service = forGate ? gateService : services[random.Next(services.Count)];
                var answers = questionnaire.Questions.ToDictionary(q => q.Key, q => q.Options[random.Next(q.Options.Count)].Key);
                var commit = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes((long)i)) + "abcdef01";
                var content = new ChangeContent($"Change {i}: upgrade {service.Name} dependency {random.Next(1000)}", $"Purpose {i}", "scope", "impact",
                    "rollback", "tests", "results", forGate ? now.AddHours(-1) : now.AddDays(random.Next(-300, 30)), forGate ? now.AddDays(30) : null,
                    [service.Id], answers, null,
                    forGate ? [new CommitRef(commit, null)] : [], [], null, []);
                var change = ChangeRequest.Create(Guid.NewGuid(), i + 1, forGate ? ChangeType.Normal : random.Next(10) == 0 ? ChangeType.Emergency : ChangeType.Normal,
                    content, requestor, [service.Profile], questionnaire, now).Value!;
                if (forGate && Approve(change, requestor, approvers, questionnaire, now))
                    gateChanges.Add(new GateChange(change.DisplayNumber, commit));
                db.ChangeNumbers.Add(new ChangeNumber { Id = i + 1, AllocatedAt = now });
                db.ChangeRequests.Add(change);
            }
            await db.SaveChangesAsync();
        }
        if (gateChanges.Count == 0)
            throw new InvalidOperationException("no seeded change could be approved");
        return [.. gateChanges];
    }

    private static bool Approve(ChangeRequest change, Actor requestor, List<Actor> approvers, RiskQuestionnaire questionnaire, DateTime now)
    {
        if (!change.Submit(requestor, questionnaire, FreezeCalendar.None, ExceptionRegister.None, now).IsSuccess)
            return false;
        foreach (var approver in approvers)
        {
            if (change.State == ChangeState.Approved)
                break;
            change.Decide(approver, ApprovalDecision.Approve, null, questionnaire, now);
        }
        return change.State == ChangeState.Approved;
    }

    /// <summary>
    /// A <paramref name="size"/>-entry log as the app stores it, tree integrated: LedgerEntry rows 0..size-1 with records of the app's
    /// canonical kinds and the leaf hash of their columns, every LedgerNode of levels 1 and up, LedgerHead and LedgerTree at that size.
    /// </summary>
    private static async Task SeedLedgerAsync(BenchDatabase database, long size)
    {
        if (size == 0)
            return;
        var records = SampleRecords.Mixed(512, seed: 7, minBytes: 300, maxBytes: 1_700);
        var actors = Enumerable.Range(0, 50).Select(i => new Guid(i + 1, 0, 0, new byte[8])).ToArray();
        var epoch = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        DateTime At(long i) => epoch.AddSeconds(i);
        var leaves = new Hash32[size];
        Parallel.For(0, (size + 65_535) / 65_536, block =>
        {
            for (var i = block * 65_536; i < Math.Min(size, (block + 1) * 65_536); i++)
            {
                var r = records[i % records.Length];
                leaves[i] = LedgerLeaf.Hash(At(i), actors[i % actors.Length], r.Action, r.SubjectType, r.SubjectId, r.Json);
            }
        });
        var levels = new List<Hash32[]> { leaves };
        while (levels[^1].Length > 1)
        {
            var below = levels[^1];
            var level = new Hash32[below.Length / 2];
            for (var i = 0; i < level.Length; i++)
                level[i] = MerkleHash.Node(below[2 * i], below[2 * i + 1]);
            levels.Add(level);
        }

        await using var db = database.Open();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        if (connection is NpgsqlConnection npgsql)
        {
            await using (var writer = await npgsql.BeginBinaryImportAsync(
                """COPY "LedgerEntry" ("Index", "At", "ActorId", "Action", "SubjectType", "SubjectId", "Record", "LeafHash") FROM STDIN (FORMAT BINARY)"""))
            {
                for (var i = 0L; i < size; i++)
                {
                    var r = records[i % records.Length];
                    await writer.StartRowAsync();
                    await writer.WriteAsync(i, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(At(i), NpgsqlDbType.TimestampTz);
                    await writer.WriteAsync(actors[i % actors.Length], NpgsqlDbType.Uuid);
                    await writer.WriteAsync(r.Action, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(r.SubjectType, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(r.SubjectId, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(r.Json, NpgsqlDbType.Text);
                    await writer.WriteAsync(leaves[i].ToArray(), NpgsqlDbType.Bytea);
                }
                await writer.CompleteAsync();
            }
            await using (var writer = await npgsql.BeginBinaryImportAsync("""COPY "LedgerNode" ("Level", "Index", "Hash") FROM STDIN (FORMAT BINARY)"""))
            {
                for (var l = 1; l < levels.Count; l++)
                {
                    for (var i = 0L; i < levels[l].Length; i++)
                    {
                        await writer.StartRowAsync();
                        await writer.WriteAsync(l, NpgsqlDbType.Integer);
                        await writer.WriteAsync(i, NpgsqlDbType.Bigint);
                        await writer.WriteAsync(levels[l][i].ToArray(), NpgsqlDbType.Bytea);
                    }
                }
                await writer.CompleteAsync();
            }
            await using var sizes = new NpgsqlCommand("""UPDATE "LedgerHead" SET "Size" = @size WHERE "Id" = 1; UPDATE "LedgerTree" SET "Size" = @size WHERE "Id" = 1;""", npgsql);
            sizes.Parameters.AddWithValue("size", size);
            await sizes.ExecuteNonQueryAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE", npgsql);
            await analyze.ExecuteNonQueryAsync();
            return;
        }

        await using var rows = new SqliteLedgerRows(connection, 200_000);
        await using (var entry = connection.CreateCommand())
        {
            entry.CommandText = """
                INSERT INTO "LedgerEntry" ("Index", "At", "ActorId", "Action", "SubjectType", "SubjectId", "Record", "LeafHash")
                VALUES (@index, @at, @actor, @action, @subjectType, @subjectId, @record, @leafHash)
                """;
            var index = SqliteLedgerRows.Parameter(entry, "@index", 0L);
            var at = SqliteLedgerRows.Parameter(entry, "@at", epoch);
            var actor = SqliteLedgerRows.Parameter(entry, "@actor", "");
            var action = SqliteLedgerRows.Parameter(entry, "@action", "");
            var subjectType = SqliteLedgerRows.Parameter(entry, "@subjectType", "");
            var subjectId = SqliteLedgerRows.Parameter(entry, "@subjectId", "");
            var record = SqliteLedgerRows.Parameter(entry, "@record", "");
            var leafHash = SqliteLedgerRows.Parameter(entry, "@leafHash", new byte[32]);
            await entry.PrepareAsync();
            for (var i = 0L; i < size; i++)
            {
                var r = records[i % records.Length];
                index.Value = i;
                at.Value = At(i);
                actor.Value = actors[i % actors.Length].ToString().ToUpperInvariant();
                action.Value = r.Action;
                subjectType.Value = r.SubjectType;
                subjectId.Value = r.SubjectId;
                record.Value = r.Json;
                leafHash.Value = leaves[i].ToArray();
                await rows.ExecuteAsync(entry);
            }
        }
        await rows.InsertNodesAsync(levels, l => levels[l].Length);
        await rows.FinishAsync(size);
    }


    /// <summary>
    /// The raw durable commit: BEGIN; INSERT one row into a scratch table; COMMIT, with a prepared command on a connection of its
    /// own per writer (opened through the app's options, so its pragmas apply).
    /// </summary>
    private sealed class RawCommits : IAsyncDisposable
    {
        private readonly List<(ChangeTrailDbContext Db, DbCommand Command)> _writers = [];
        private long _next;

        public static async Task<RawCommits> CreateAsync(BenchDatabase database, int writers)
        {
            var raw = new RawCommits();
            await using (var db = database.Open())
                await db.Database.ExecuteSqlRawAsync(database.IsSqlite
                    ? """CREATE TABLE "BenchRawCommit" ("Id" INTEGER PRIMARY KEY, "At" TEXT NOT NULL)"""
                    : """CREATE TABLE "BenchRawCommit" ("Id" bigint PRIMARY KEY, "At" timestamp with time zone NOT NULL)""");
            for (var w = 0; w < writers; w++)
            {
                var db = database.Open();
                await db.Database.OpenConnectionAsync();
                var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = """INSERT INTO "BenchRawCommit" ("Id", "At") VALUES (@id, @at)""";
                SqliteLedgerRows.Parameter(command, "@id", 0L);
                SqliteLedgerRows.Parameter(command, "@at", DateTime.UtcNow);
                await command.PrepareAsync();
                raw._writers.Add((db, command));
            }
            return raw;
        }

        public async Task ExecuteAsync(int writer)
        {
            var (db, command) = _writers[writer];
            await using var transaction = await db.Database.GetDbConnection().BeginTransactionAsync();
            command.Transaction = transaction;
            command.Parameters[0].Value = Interlocked.Increment(ref _next);
            command.Parameters[1].Value = DateTime.UtcNow;
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (db, command) in _writers)
            {
                await command.DisposeAsync();
                await db.DisposeAsync();
            }
        }
    }
}
