using System.CommandLine;
using ChangeTrail.Cli.Configuration;

namespace ChangeTrail.Cli;

/// <summary>
/// The options every command accepts, anywhere on the line. Their fallbacks (the environment, then what
/// <c>changetrail login</c> saved) are resolved here rather than through <c>DefaultValueFactory</c>, because help prints
/// default values and must never print a token.
/// </summary>
internal sealed class GlobalOptions
{
    public const string UrlVariable = "CHANGETRAIL_URL";
    public const string TokenVariable = "CHANGETRAIL_TOKEN";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"Server address; defaults to ${UrlVariable}, then the one 'login' saved, then {DefaultUrl}.",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = $"API token (ctp_...); defaults to ${TokenVariable}, then the one 'login' saved for the server.",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the server's JSON response instead of a table or summary.",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Add(Url);
        root.Add(Token);
        root.Add(Json);
    }

    /// <summary>
    /// The server and token for this run, each from the first place that has one: the flag, then the environment, then the
    /// configuration <c>changetrail login</c> saved (<paramref name="saved"/>, read only when the first two leave something
    /// open, so a broken file stands in the way of no one who does not need it). The saved token goes only to the server it
    /// was issued by: with another address from a flag or the environment it is not sent at all.
    /// </summary>
    public Connection Resolve(ParseResult parse, IReadOnlyDictionary<string, string?> environment, Func<CliConfig?> saved)
    {
        var (url, urlSource) = NonBlank(parse.GetValue(Url)) is { } flagUrl ? (flagUrl, SettingSource.Flag)
            : NonBlank(environment.GetValueOrDefault(UrlVariable)) is { } variableUrl ? (variableUrl, SettingSource.Environment)
            : ((string?)null, SettingSource.Default);
        var (token, tokenSource) = NonBlank(parse.GetValue(Token)) is { } flagToken ? (flagToken, SettingSource.Flag)
            : NonBlank(environment.GetValueOrDefault(TokenVariable)) is { } variableToken ? (variableToken, SettingSource.Environment)
            : ((string?)null, SettingSource.Default);
        var config = url is null || token is null ? saved() : null;
        if (url is null)
            (url, urlSource) = NonBlank(config?.Url) is { } savedUrl ? (savedUrl, SettingSource.ConfigFile) : (DefaultUrl, SettingSource.Default);
        if (token is null && NonBlank(config?.Token) is { } savedToken && SameServer(config!.Url, url))
            (token, tokenSource) = (savedToken, SettingSource.ConfigFile);
        return new Connection(url, urlSource, token, tokenSource);
    }

    /// <summary>Whether two addresses name the same server: scheme and host in any case, default port or not, trailing slash or not.</summary>
    public static bool SameServer(string? first, string? second) =>
        Uri.TryCreate(first, UriKind.Absolute, out var a) && Uri.TryCreate(second, UriKind.Absolute, out var b)
        && string.Equals(a.AbsoluteUri.TrimEnd('/'), b.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal);

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Where a connection setting came from, so a message can say what to check.</summary>
internal enum SettingSource
{
    Flag,
    Environment,
    ConfigFile,
    Default,
}

/// <summary>The server to ask and the token to send (null when none was found), with where each came from.</summary>
internal sealed record Connection(string Url, SettingSource UrlSource, string? Token, SettingSource TokenSource);
