using System.CommandLine;

namespace ChangeTrail.Cli;

/// <summary>
/// The options every command accepts, anywhere on the line. Their environment fallbacks are resolved here
/// rather than through <c>DefaultValueFactory</c>, because help prints default values and must never print a token.
/// </summary>
internal sealed class GlobalOptions
{
    public const string UrlVariable = "CHANGETRAIL_URL";
    public const string TokenVariable = "CHANGETRAIL_TOKEN";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public Option<string> Url { get; } = new("--url")
    {
        Description = $"Server address; defaults to ${UrlVariable}, then {DefaultUrl}.",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = $"API token (ctp_...); defaults to ${TokenVariable}.",
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

    public string ResolveUrl(ParseResult parse, IReadOnlyDictionary<string, string?> environment) =>
        NonBlank(parse.GetValue(Url)) ?? NonBlank(environment.GetValueOrDefault(UrlVariable)) ?? DefaultUrl;

    public string? ResolveToken(ParseResult parse, IReadOnlyDictionary<string, string?> environment) =>
        NonBlank(parse.GetValue(Token)) ?? NonBlank(environment.GetValueOrDefault(TokenVariable));

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
