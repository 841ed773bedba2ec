using System.CommandLine;
using System.Net;
using System.Text.Json;
using ChangeTrail.Cli.Commands.Changes;
using ChangeTrail.Cli.Configuration;
using ChangeTrail.Cli.Http;
using ChangeTrail.Cli.Output;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Cli.Commands.Login;

/// <summary>
/// <c>changetrail login --email you@example.com</c>: proves who you are with your password (<c>POST /api/v1/auth/tokens</c>)
/// and keeps the personal token it gets, with the server's address, in the configuration file, for every later command.
/// This is the only way to a token that may approve: nobody, not even an Admin, can make one for someone else.
/// </summary>
/// <remarks>
/// The password is typed at the terminal without echo, or read from stdin when that is a pipe; there is deliberately no
/// option for it, since arguments show in <c>ps</c> and in shell history.
/// </remarks>
internal static class LoginCommand
{
    public const string PasswordChangeRequired = "password-change-required";

    /// <summary>A person's everyday set: read, draft and submit, and decide on others' changes.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = [Scopes.ChangesRead, Scopes.ChangesWrite, Scopes.ChangesApprove];

    /// <summary>How often a person at a terminal may retype a new password that does not match or that the server refuses.</summary>
    private const int NewPasswordAttempts = 3;

    private static readonly JsonSerializerOptions JsonOutput = new(ApiJson.Options) { WriteIndented = false };

    public static Command Create(CliContext context)
    {
        var email = new Option<string>("--email")
        {
            Description = "Your account's email; defaults to the one of the last login.",
            HelpName = "EMAIL",
        };
        var name = new Option<string>("--name")
        {
            Description = "The token's name, as the server lists it; defaults to 'changetrail CLI on <hostname>'.",
            HelpName = "NAME",
        };
        var scopes = new Option<string[]>("--scope")
        {
            Description = $"A scope for the token; repeat for several. Defaults to {string.Join(' ', DefaultScopes)}.",
            HelpName = "SCOPE",
        };
        var expiresAt = CreateChangeCommand.Time("--expires-at",
            "When the token expires, ISO 8601 (UTC unless an offset is given); defaults to the longest the server allows.");

        var command = new Command("login",
            "Sign in with your password (prompted, or read from stdin) and keep a personal token for the other commands.")
        {
            email, name, scopes, expiresAt,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosenScopes = parse.GetValue(scopes) is { Length: > 0 } given ? given : DefaultScopes;
            var tokenName = NonBlank(parse.GetValue(name)) ?? DefaultName(context.HostName);
            return LoginAsync(context, parse, NonBlank(parse.GetValue(email)), tokenName, chosenScopes, parse.GetValue(expiresAt),
                cancellationToken);
        });
        return command;
    }

    /// <summary>"changetrail CLI on build-42", within the server's limit on names.</summary>
    public static string DefaultName(string host)
    {
        var name = $"changetrail CLI on {host}";
        return name.Length <= 100 ? name : name[..100];
    }

    private static async Task<int> LoginAsync(CliContext context, ParseResult parse, string? email, string tokenName,
        IReadOnlyList<string> scopes, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        // The server: --url, CHANGETRAIL_URL, the last login's, the default. Its token is not wanted: this call has none.
        var connection = context.Resolve(parse);
        if (context.ServerAt(connection.Url, connection.UrlSource) is not { } server)
            return ExitCodes.UsageOrConnection;
        var previous = context.SavedConfig;
        email ??= NonBlank(previous?.Email);
        if (email is null)
        {
            context.Error.WriteLine("error: --email is required: no earlier login to take it from.");
            return ExitCodes.UsageOrConnection;
        }
        if (server.Scheme == Uri.UriSchemeHttp && !server.IsLoopback)
            context.Error.WriteLine($"warning: {server} is not https: your password and the token cross the network unencrypted.");

        var password = await context.Input.ReadSecretAsync($"Password for {email}:", context.Error, cancellationToken);
        if (string.IsNullOrEmpty(password))
        {
            context.Error.WriteLine("error: no password given: type it at the prompt, or give it on stdin (there is no option for it, " +
                "so it never shows in process lists or shell history).");
            return ExitCodes.UsageOrConnection;
        }

        using var client = context.Client(parse, server, token: null);
        var request = new PersonalTokenRequest(email, password, tokenName, scopes, expiresAt);
        var response = await client.PostAsync("auth/tokens", request, (_, type) => type == PasswordChangeRequired, cancellationToken);
        if (response.ProblemType == PasswordChangeRequired)
        {
            context.Error.WriteLine("Your password was set by an administrator and is only temporary: choose a new one of your own.");
            for (var attempt = 1; ; attempt++)
            {
                var (chosen, exitCode) = await ReadNewPasswordAsync(context, cancellationToken);
                if (chosen is null)
                    return exitCode;
                response = await client.PostAsync("auth/tokens", request with { NewPassword = chosen }, handled: null, cancellationToken);
                // The server's password rules refused it (reported above): a person at a terminal may try another.
                if (response.Status != HttpStatusCode.UnprocessableEntity || !context.Input.IsTerminal || attempt == NewPasswordAttempts)
                    break;
            }
        }
        if (!response.IsSuccess)
            return response.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ExitCodes.Denied : response.ExitCode;

        var created = response.Read<CreatedTokenResponse>();
        var url = server.AbsoluteUri.TrimEnd('/');
        var path = context.ConfigPath;
        try
        {
            ConfigFile.Save(path, new CliConfig(url, created.Token, created.Id, email, created.ExpiresAt));
        }
        catch (ConfigFileException exception)
        {
            // Nobody holds the new token now: revoke it rather than leave a live approving credential behind.
            using var own = context.Client(parse, server, created.Token);
            var revoked = await own.TryDeleteAsync($"tokens/{created.Id}", cancellationToken) == HttpStatusCode.NoContent;
            context.Error.WriteLine($"error: {exception.Message}");
            context.Error.WriteLine(revoked
                ? $"  The new token {created.Id} was revoked again, since it could not be kept."
                : $"  The new token {created.Id} could not be revoked; it stays valid until {Formats.When(created.ExpiresAt)} unless revoked.");
            return ExitCodes.UsageOrConnection;
        }

        await RevokePreviousAsync(context, parse, previous, created.Id, cancellationToken);
        if (context.Json(parse))
        {
            // Never the token itself, here either: it is in the file, and output ends up in logs.
            context.Out.WriteLine(JsonSerializer.Serialize(new { tokenId = created.Id, expiresAt = created.ExpiresAt, path }, JsonOutput));
            return ExitCodes.Success;
        }
        context.Out.WriteLine($"Signed in to {url} as {email}.");
        context.Out.WriteLine($"Token \"{created.Name}\" ({created.Id}) with {Formats.List(created.Scopes)}; " +
            (created.ExpiresAt is { } at ? $"expires {Formats.When(at)}." : "does not expire."));
        context.Out.WriteLine($"Saved in {path}.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The new password, typed twice. At a terminal a mismatch is asked again; from a pipe (two more lines) it ends the run.
    /// Null, with the exit code, when none was given.
    /// </summary>
    private static async Task<(string? Password, int ExitCode)> ReadNewPasswordAsync(CliContext context, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var first = await context.Input.ReadSecretAsync("New password:", context.Error, cancellationToken);
            var second = string.IsNullOrEmpty(first) ? null : await context.Input.ReadSecretAsync("New password again:", context.Error, cancellationToken);
            if (string.IsNullOrEmpty(first) || second is null)
            {
                context.Error.WriteLine("error: no new password given: type it twice at the prompts, or give it on the next two lines of stdin.");
                return (null, ExitCodes.UsageOrConnection);
            }
            if (first == second)
                return (first, ExitCodes.Success);
            if (!context.Input.IsTerminal || attempt == NewPasswordAttempts)
            {
                context.Error.WriteLine("error: the two new passwords differ; nothing was changed.");
                return (null, ExitCodes.UsageOrConnection);
            }
            context.Error.WriteLine("The two new passwords differ; try again.");
        }
    }

    /// <summary>
    /// A new login replaces the one saved before: its token, which nothing holds any more, is revoked (best effort, as its
    /// own owner), so logging in again does not leave live credentials behind.
    /// </summary>
    private static async Task RevokePreviousAsync(CliContext context, ParseResult parse, CliConfig? previous, Guid current,
        CancellationToken cancellationToken)
    {
        if (previous is not { Token.Length: > 0, TokenId: { } id, Url: { } url } || id == current
            || !Uri.TryCreate(url, UriKind.Absolute, out var server))
            return;
        using var client = context.Client(parse, server, previous.Token);
        var status = await client.TryDeleteAsync($"tokens/{id}", cancellationToken);
        if (status is HttpStatusCode.NoContent)
            context.Error.WriteLine($"Revoked the token of the previous login ({id}).");
        // 401: it had expired or was revoked already, which is what was wanted.
        else if (status is not HttpStatusCode.Unauthorized)
            context.Error.WriteLine($"warning: the token of the previous login ({id}) could not be revoked on {url}" +
                $"{(status is null ? " (no answer)" : $" ({(int?)status})")}; it stays valid until {Formats.When(previous.ExpiresAt)} unless revoked.");
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
