using System.Net;
using System.Text;

namespace ChangeTrail.Cli.Tests;

/// <summary>What one run of the CLI left behind.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs <see cref="CliApp"/> in-process, as a shell would run <c>changetrail</c>, with its own environment and
/// captured stdout/stderr. Requests go through <paramref name="handler"/> and are counted, so a test can
/// prove that a usage error never reached the server.
/// </summary>
public sealed class CliRunner(HttpMessageHandler handler, string url = "http://localhost")
{
    private readonly CountingHandler _counter = new(handler);

    /// <summary>How many HTTP requests the CLI has sent through this runner.</summary>
    public int Requests => _counter.Count;

    public async Task<CliResult> RunAsync(string? token, params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["CHANGETRAIL_URL"] = url };
        if (token is not null)
            environment["CHANGETRAIL_TOKEN"] = token;
        using var stdout = new StringWriter(new StringBuilder());
        using var stderr = new StringWriter(new StringBuilder());
        var exitCode = await CliApp.RunAsync(args, stdout, stderr, environment, _counter, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _count;

        public int Count => _count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>A stand-in server for usage tests: answers everything with 500, which no usage test may ever see.</summary>
public sealed class UnusedServer : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));
}
