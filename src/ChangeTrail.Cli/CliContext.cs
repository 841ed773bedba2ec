using System.CommandLine;
using ChangeTrail.Cli.Http;
using ChangeTrail.Cli.Output;
using Spectre.Console;

namespace ChangeTrail.Cli;

/// <summary>
/// What one run of the CLI works with: its writers, its environment and, in tests, the handler that reaches
/// an in-process server. Commands get everything through this, never from <see cref="System.Console"/> or
/// <see cref="Environment"/>, so a test can run them side by side.
/// </summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment,
    HttpMessageHandler? handler)
{
    private IAnsiConsole? _console;

    public GlobalOptions Options { get; } = new();

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Spectre.Console on stdout: colour on a terminal, plain text when redirected (pipes, files, tests).</summary>
    public IAnsiConsole Console => _console ??= Terminal.For(Out, environment);

    public bool Json(ParseResult parse) => parse.GetValue(Options.Json);

    /// <summary>
    /// Runs <paramref name="work"/> against the server named by <c>--url</c>/<c>CHANGETRAIL_URL</c>. A bad address
    /// or a missing token is a usage error, reported before anything is sent.
    /// </summary>
    public async Task<int> WithServerAsync(ParseResult parse, Func<ServerClient, Task<int>> work)
    {
        var url = Options.ResolveUrl(parse, environment);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            Error.WriteLine($"error: '{url}' is not an http(s) address; pass --url or set {GlobalOptions.UrlVariable}.");
            return ExitCodes.UsageOrConnection;
        }
        var token = Options.ResolveToken(parse, environment);
        if (token is null)
        {
            Error.WriteLine($"error: no API token; pass --token or set {GlobalOptions.TokenVariable}.");
            return ExitCodes.UsageOrConnection;
        }

        // With --json a refusal's problem document goes to stdout as well, so scripts can read its type.
        using var client = new ServerClient(server, token, handler, Error, Json(parse) ? Out : null);
        return await work(client);
    }
}
