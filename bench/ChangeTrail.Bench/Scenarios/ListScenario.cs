using System.Diagnostics;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Features.Changes;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Bench.Scenarios;

/// <summary>
/// Load scenario: the change list (the query behind GET /api/v1/changes and the /changes page) at 100,000
/// change requests. Seeds a fresh database through the domain's own Create, then times the list's common
/// shapes. Usage: list [count] [postgres-connection-string]
/// </summary>
internal static class ListScenario
{
    public static async Task<int> RunAsync(IReadOnlyList<string> allArgs)
    {
        var args = allArgs.Skip(1).ToArray();
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        var postgres = args.Length > 1 ? args[1] : null;
        Report.Header("change list", allArgs, ("provider", postgres is null ? "sqlite" : "postgres"));

        var folder = Directory.CreateTempSubdirectory("changetrail-bench");
        await using var db = Open();
        await db.Database.MigrateAsync();

        var questionnaire = DefaultRiskQuestionnaire.Instance;
        var services = Enumerable.Range(0, 20)
            .Select(i => Service.Create(Guid.NewGuid(), $"service-{i}", null, i % 7 == 0, false, [], DateTime.UtcNow).Value!)
            .ToList();
        db.Services.AddRange(services);
        await db.SaveChangesAsync();

        var requestor = new Actor(Guid.NewGuid(), "bench@example.test", false, new HashSet<Role> { Role.Requestor });
        var random = new Random(42);
        var seed = Stopwatch.StartNew();
        const int Batch = 2_000;
        for (var done = 0; done < count; done += Batch)
        {
            for (var i = done; i < Math.Min(count, done + Batch); i++)
            {
                var service = services[random.Next(services.Count)];
                var answers = questionnaire.Questions.ToDictionary(q => q.Key, q => q.Options[random.Next(q.Options.Count)].Key);
                var content = new ChangeContent($"Change {i}: upgrade {service.Name} dependency {random.Next(1000)}", $"Purpose {i}", "scope", "impact",
                    "rollback", "tests", "results", DateTime.UtcNow.AddDays(random.Next(-300, 30)), null, [service.Id], answers, null, [], [], null, []);
                var change = ChangeRequest.Create(Guid.NewGuid(), i + 1, random.Next(10) == 0 ? ChangeType.Emergency : ChangeType.Normal, content,
                    requestor, [service.Profile], questionnaire, DateTime.UtcNow).Value!;
                db.ChangeNumbers.Add(new ChangeNumber { Id = i + 1, AllocatedAt = DateTime.UtcNow });
                db.ChangeRequests.Add(change);
            }
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
        Console.WriteLine($"provider: {(postgres is null ? "sqlite" : "postgres")}; seeded {count:N0} change requests in {seed.Elapsed.TotalSeconds:F1} s");

        var someService = services[3].Name;
        var scenarios = new (string Name, ChangeListQuery Query)[]
        {
            ("first page, no filter", new(null, null, null, null, null, 1, 25)),
            ("page 2,000 (deep offset)", new(null, null, null, null, null, 2000, 25)),
            ("state=Draft", new("Draft", null, null, null, null, 1, 25)),
            ("service filter", new(null, null, someService, null, null, 1, 25)),
            ("risk=High and type=Emergency", new(null, "Emergency", null, "High", null, 1, 25)),
            ("search by number CR-77777", new(null, null, null, null, "CR-77777", 1, 25)),
            ("search by text 'dependency 42'", new(null, null, null, null, "dependency 42", 1, 25)),
        };
        Console.WriteLine($"{"scenario",-34} {"median ms",10} {"p95 ms",10} {"rows",6} {"total",8}");
        foreach (var (name, query) in scenarios)
        {
            var timings = new List<double>();
            var rows = 0;
            var total = 0;
            for (var run = 0; run < 21; run++)
            {
                await using var fresh = Open();
                var watch = Stopwatch.StartNew();
                var result = await ListChanges.ExecuteAsync(query, fresh, DateTime.UtcNow, CancellationToken.None);
                watch.Stop();
                if (run > 0)
                    timings.Add(watch.Elapsed.TotalMilliseconds);
                rows = result.Value!.Items.Count;
                total = result.Value.Total;
            }
            timings.Sort();
            Console.WriteLine($"{name,-34} {timings[timings.Count / 2],10:F1} {timings[(int)(timings.Count * 0.95)],10:F1} {rows,6} {total,8}");
        }
        folder.Delete(recursive: true);
        return 0;

        ChangeTrailDbContext Open()
        {
            if (postgres is not null)
            {
                var pg = new DbContextOptionsBuilder<PostgresChangeTrailDbContext>();
                pg.UseChangeTrailPostgres(postgres);
                return new PostgresChangeTrailDbContext(pg.Options);
            }
            var sqlite = new DbContextOptionsBuilder<SqliteChangeTrailDbContext>();
            sqlite.UseChangeTrailSqlite($"Data Source={Path.Combine(folder.FullName, "bench.db")}");
            return new SqliteChangeTrailDbContext(sqlite.Options);
        }
    }
}
