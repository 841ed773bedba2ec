using System.CommandLine;
using ChangeTrail.Cli.Configuration;
using ChangeTrail.Cli.Http;
using ChangeTrail.Cli.Output;
using Spectre.Console;

namespace ChangeTrail.Cli;

/// <summary>
/// What one run of the CLI works with: its writers, its input, its environment and, in tests, the handler that reaches
/// an in-process server. Commands get everything through this, never from <see cref="System.Console"/> or
/// <see cref="Environment"/>, so a test can run them side by side.
/// </summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, CliInput input, IReadOnlyDictionary<string, string?> environment,
    HttpMessageHandler? handler)
{
    private IAnsiConsole? _console;
    private CliConfig? _saved;
    private bool _savedRead;

    public GlobalOptions Options { get; } = new();

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    /// <summary>Where passwords are read: the terminal without echo, or the lines of a pipe.</summary>
    public CliInput Input { get; } = input;

    /// <summary>Spectre.Console on stdout: colour on a terminal, plain text when redirected (pipes, files, tests).</summary>
    public IAnsiConsole Console => _console ??= Terminal.For(Out, environment);

    /// <summary>The configuration file <c>login</c> writes: <c>$XDG_CONFIG_HOME/changetrail/config.json</c>, else <c>~/.config/...</c>.</summary>
    public string ConfigPath => ConfigFile.DefaultPath(environment);

    /// <summary>The machine's name, for the default token name; <c>HOSTNAME</c> when set, as the shell sees it.</summary>
    public string HostName => environment.GetValueOrDefault("HOSTNAME") is { Length: > 0 } name ? name : Environment.MachineName;

    public bool Json(ParseResult parse) => parse.GetValue(Options.Json);

    /// <summary>
    /// What <c>login</c> saved, read once, or null. A file that cannot be read is named in a warning and then ignored, so
    /// a command given its server and token another way still runs.
    /// </summary>
    public CliConfig? SavedConfig
    {
        get
        {
            if (_savedRead)
                return _saved;
            _savedRead = true;
            try
            {
                _saved = ConfigFile.Load(ConfigPath);
            }
            catch (ConfigFileException exception)
            {
                Error.WriteLine($"warning: {exception.Message}");
            }
            return _saved;
        }
    }

    /// <summary>The server and token for this run: flag, then environment, then the saved configuration (see <see cref="GlobalOptions.Resolve"/>).</summary>
    public Connection Resolve(ParseResult parse) => Options.Resolve(parse, environment, () => SavedConfig);

    /// <summary>The server's address for this run, as <see cref="WithServerAsync"/> will use it.</summary>
    public string ResolveUrl(ParseResult parse) => Resolve(parse).Url;

    /// <summary>The server at <paramref name="url"/>, or null after saying on stderr that it is no http(s) address.</summary>
    public Uri? ServerAt(string url, SettingSource source)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var server) && (server.Scheme == Uri.UriSchemeHttp || server.Scheme == Uri.UriSchemeHttps))
            return server;
        var from = source == SettingSource.ConfigFile ? $" (saved in {ConfigPath})" : "";
        Error.WriteLine($"error: '{url}'{from} is not an http(s) address; pass --url or set {GlobalOptions.UrlVariable}.");
        return null;
    }

    /// <summary>A client of <paramref name="server"/>, sending <paramref name="token"/> if there is one.</summary>
    public ServerClient Client(ParseResult parse, Uri server, string? token, string? unauthorizedHint = null, RetryPolicy? retry = null) =>
        // With --json a refusal's problem document goes to stdout as well, so scripts can read its type.
        new(server, token, handler, Error, Json(parse) ? Out : null, unauthorizedHint, retry);

    /// <summary>The environment variable <paramref name="name"/> as this run sees it.</summary>
    public string? Variable(string name) => environment.GetValueOrDefault(name);

    /// <summary>
    /// Runs <paramref name="work"/> against the server named by <c>--url</c>, <c>CHANGETRAIL_URL</c> or the saved
    /// configuration. A bad address or a missing token is a usage error, reported before anything is sent. Requests that
    /// get no answer are sent again as <paramref name="retry"/> says; by default never.
    /// </summary>
    public async Task<int> WithServerAsync(ParseResult parse, Func<ServerClient, Task<int>> work, RetryPolicy? retry = null)
    {
        var connection = Resolve(parse);
        if (ServerAt(connection.Url, connection.UrlSource) is not { } server)
            return ExitCodes.UsageOrConnection;
        if (connection.Token is null)
        {
            Error.WriteLine(SavedConfig is { Token.Length: > 0, Url: { } savedUrl }
                ? $"error: no API token for {connection.Url}: the token 'changetrail login' saved in {ConfigPath} is for {savedUrl} only. " +
                  $"Pass --token or set {GlobalOptions.TokenVariable}, or run 'changetrail login --url {connection.Url}'."
                : $"error: no API token; run 'changetrail login', or pass --token or set {GlobalOptions.TokenVariable}.");
            return ExitCodes.UsageOrConnection;
        }

        var hint = connection.TokenSource == SettingSource.ConfigFile
            ? $"the token saved in {ConfigPath} was refused: it has expired or was revoked; run 'changetrail login' again."
            : null;
        using var client = Client(parse, server, connection.Token, hint, retry);
        return await work(client);
    }
}
