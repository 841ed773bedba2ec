using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChangeTrail.Bench.Http;
using ChangeTrail.Contracts;

namespace ChangeTrail.Bench.Scenarios;

/// <summary>
/// What authentication adds to a request: the real server on Kestrel on a loopback port (Production environment), set up
/// through POST /api/v1/setup, then one keep-alive client timing GET /healthz against an authenticated GET of the static
/// risk questionnaire (Bearer admin token), one request at a time, interleaved. Target: the difference of the medians
/// ≤ 0.3 ms. Then both under load from 32 concurrent clients, requests/s.
/// </summary>
internal static class AuthOverheadScenario
{
    private const double TargetMs = 0.3;
    private const string Health = "/healthz";
    internal const string Questionnaire = "/api/v1/risk/questionnaire";

    public static async Task<int> RunAsync(IReadOnlyList<string> argv)
    {
        var args = BenchArgs.Parse(argv, "provider", "connection", "requests", "warmup", "clients", "seconds");
        var provider = args.Text("provider", "sqlite");
        var connection = args.Text("connection") ?? Environment.GetEnvironmentVariable("CHANGETRAIL_TEST_POSTGRES");
        var requests = args.Int("requests", 5_000);
        var warmup = args.Int("warmup", 1_000);
        var clients = args.Int("clients", 32);
        var seconds = TimeSpan.FromSeconds(args.Double("seconds", 5));

        await using var database = await BenchDatabase.CreateAsync(provider, provider == "postgres" ? connection : null);
        var dataDirectory = Directory.CreateTempSubdirectory("changetrail-bench-data");
        try
        {
            await using var server = new BenchServer(database, dataDirectory.FullName);
            using var client = LoadRunner.NewClient(server.Address);
            var setup = await client.PostAsJsonAsync("/api/v1/setup",
                new SetupRequest("admin@bench.example", "Bench Admin", "a long enough bench password", BenchServer.SetupCode));
            setup.EnsureSuccessStatusCode();
            var token = (await setup.Content.ReadFromJsonAsync<SetupResponse>())!.Token;

            Report.Header("auth-overhead", argv,
                ("provider", await database.DescribeAsync()),
                ("server", $"src/ChangeTrail.Server in this process: Kestrel on {server.Address}, Production environment, set up by POST /api/v1/setup"),
                ("requests", $"{Health} (anonymous, no database) and GET {Questionnaire} with the setup's admin token (Bearer; static body, "
                    + "so what it adds is authentication, authorization and a larger JSON body)"),
                ("sequential", $"one keep-alive HttpClient, one request at a time, the two alternating; {N(warmup)} of each to warm up, "
                    + $"then {N(requests)} of each timed from send to the answer read in full"),
                ("concurrent", $"{clients} clients on one HttpClient (a connection each), closed loop, {seconds.TotalSeconds:0.#} s each "
                    + "after 1 s warm-up"));

            HttpRequestMessage HealthRequest() => new(HttpMethod.Get, Health);
            HttpRequestMessage AuthenticatedRequest()
            {
                var message = new HttpRequestMessage(HttpMethod.Get, Questionnaire);
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return message;
            }

            await Console.Error.WriteLineAsync($"sequential: {warmup} + {requests} of each");
            var health = new double[requests];
            var authenticated = new double[requests];
            for (var i = -warmup; i < requests; i++)
            {
                var h = await LoadRunner.TimeAsync(client, HealthRequest);
                var a = await LoadRunner.TimeAsync(client, AuthenticatedRequest);
                if (i < 0)
                    continue;
                health[i] = h;
                authenticated[i] = a;
            }
            Array.Sort(health);
            Array.Sort(authenticated);
            var overhead = Report.Percentile(authenticated, 0.5) - Report.Percentile(health, 0.5);
            Report.Table(["sequential, one keep-alive client", "median ms", "p99 ms", "max ms"],
            [
                [$"GET {Health}", Report.F(Report.Percentile(health, 0.5), 3), Report.F(Report.Percentile(health, 0.99), 3), Report.F(health[^1], 3)],
                [$"GET {Questionnaire} (Bearer)", Report.F(Report.Percentile(authenticated, 0.5), 3), Report.F(Report.Percentile(authenticated, 0.99), 3),
                    Report.F(authenticated[^1], 3)],
            ]);

            await Console.Error.WriteLineAsync($"concurrent: {clients} clients");
            using var load = LoadRunner.NewClient(server.Address);
            var results = new List<PhaseResult>();
            foreach (var (name, message) in new (string, Func<HttpRequestMessage>)[] { ($"GET {Health}", HealthRequest), ($"GET {Questionnaire} (Bearer)", AuthenticatedRequest) })
                results.Add(await LoadRunner.RunAsync(name, clients, TimeSpan.FromSeconds(1), seconds, () => LoadRunner.SendAsync(load, message)));
            Report.Table([$"{clients} concurrent clients", "requests/s", "median ms", "p99 ms", "errors"],
                results.Select(r => (IReadOnlyList<string>)[r.Name, Report.F(r.PerSecond, 0), Report.F(r.P50, 3), Report.F(r.P99, 3),
                    r.Errors == 0 ? "0" : $"{N(r.Errors)} ({r.FirstError})"]));

            Report.Table(["target", "measured", "target", "verdict"],
            [
                ["authentication overhead (median authenticated GET - median /healthz)", $"{Report.F(overhead, 3)} ms", $"<= {TargetMs} ms", Report.Verdict(overhead <= TargetMs)],
            ]);
            return 0;
        }
        finally
        {
            dataDirectory.Delete(recursive: true);
        }
    }

    private static string N(long value) => Report.N(value);
}
