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
/// <param name="handler">The server.</param>
/// <param name="url"><c>CHANGETRAIL_URL</c>, or null to leave it unset.</param>
/// <param name="configHome">
/// <c>XDG_CONFIG_HOME</c> (and <c>HOME</c>) of every run, where <c>login</c> keeps its file. By default a folder of its own
/// that nothing creates, so no run ever reads or writes the real home folder's configuration.
/// </param>
public sealed class CliRunner(HttpMessageHandler handler, string? url = "http://localhost", string? configHome = null)
{
    private readonly CountingHandler _counter = new(handler);

    /// <summary>How many HTTP requests the CLI has sent through this runner.</summary>
    public int Requests => _counter.Count;

    /// <summary>Every request's method and address, in order.</summary>
    public IReadOnlyList<string> Sent => _counter.Sent;

    public string ConfigHome { get; } = configHome ?? Path.Combine(Path.GetTempPath(), $"changetrail-cli-test-{Guid.NewGuid():N}");

    /// <summary>Where <c>login</c> keeps its configuration for this runner's runs.</summary>
    public string ConfigFile => Path.Combine(ConfigHome, "changetrail", "config.json");

    public Task<CliResult> RunAsync(string? token, params string[] args) => RunWithAsync(token, stdin: null, environment: null, args);

    /// <summary>A run with <paramref name="stdin"/> piped in (null: nothing to read) and extra environment variables.</summary>
    public async Task<CliResult> RunWithAsync(string? token, string? stdin, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var variables = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = ConfigHome, ["HOME"] = ConfigHome };
        if (url is not null)
            variables["CHANGETRAIL_URL"] = url;
        if (token is not null)
            variables["CHANGETRAIL_TOKEN"] = token;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            variables[name] = value;
        using var stdout = new StringWriter(new StringBuilder());
        using var stderr = new StringWriter(new StringBuilder());
        using var input = new StringReader(stdin ?? "");
        var exitCode = await CliApp.RunAsync(args, stdin is null ? CliInput.None : CliInput.FromReader(input), stdout, stderr, variables,
            _counter, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _sent = new();
        private int _count;

        public int Count => _count;

        public IReadOnlyList<string> Sent => [.. _sent];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            _sent.Enqueue($"{request.Method} {request.RequestUri}");
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
