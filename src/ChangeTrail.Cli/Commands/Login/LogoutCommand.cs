using System.CommandLine;
using System.Net;
using System.Text.Json;
using ChangeTrail.Cli.Configuration;
using ChangeTrail.Cli.Output;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Login;

/// <summary>
/// <c>changetrail logout</c>: revokes the token <c>login</c> saved (<c>DELETE /api/v1/tokens/{id}</c>, on the server it was
/// issued by) and removes it from the configuration file, keeping the server and email for the next login. The token is
/// removed locally whatever the server says, even when it cannot be reached; a warning then says it is still valid.
/// </summary>
internal static class LogoutCommand
{
    private static readonly JsonSerializerOptions JsonOutput = new(ApiJson.Options) { WriteIndented = false };

    public static Command Create(CliContext context)
    {
        var command = new Command("logout", "Revoke the token 'login' saved and remove it from the configuration file.");
        command.SetAction((parse, cancellationToken) => LogoutAsync(context, parse, cancellationToken));
        return command;
    }

    private static async Task<int> LogoutAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var path = context.ConfigPath;
        CliConfig? config;
        try
        {
            config = ConfigFile.Load(path);
        }
        catch (ConfigFileException exception)
        {
            context.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.UsageOrConnection;
        }
        var json = context.Json(parse);
        if (config is not { Token.Length: > 0 })
        {
            context.Out.WriteLine(json
                ? JsonSerializer.Serialize(new { signedIn = false, tokenId = (Guid?)null, revoked = false, path }, JsonOutput)
                : $"Not signed in: no token is saved in {path}.");
            return ExitCodes.Success;
        }

        // The saved server, not --url or CHANGETRAIL_URL: the token belongs to the server that issued it.
        var (exitCode, revoked, gone) = (ExitCodes.UsageOrConnection, false, false);
        if (config.TokenId is not { } id)
        {
            context.Error.WriteLine($"warning: {path} does not say which token it holds (no \"tokenId\"), so it cannot be revoked.");
        }
        else if (context.ServerAt(config.Url ?? "", SettingSource.ConfigFile) is { } server)
        {
            using var client = context.Client(parse, server, config.Token);
            // 401: the token had expired or was revoked already; it is dead, which is what logout wants. (A 404 is not that:
            // the token works, but the id saved with it names no token of its owner, so it was not revoked.)
            var response = await client.DeleteAsync($"tokens/{id}", (status, _) => status is HttpStatusCode.Unauthorized, cancellationToken);
            revoked = response.IsSuccess;
            gone = response.Status is HttpStatusCode.Unauthorized;
            exitCode = revoked || gone ? ExitCodes.Success : response.ExitCode;
        }

        try
        {
            ConfigFile.Save(path, config.WithoutToken());
        }
        catch (ConfigFileException exception)
        {
            context.Error.WriteLine($"error: {exception.Message}");
            return ExitCodes.UsageOrConnection;
        }

        if (!revoked && !gone)
        {
            context.Error.WriteLine($"warning: the token {config.TokenId} was not revoked: it stays valid until {Formats.When(config.ExpiresAt)} " +
                $"unless it is revoked on {config.Url} (DELETE /api/v1/tokens/{config.TokenId}, by you or an Admin). It was removed from {path} anyway.");
        }
        if (json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(new { signedIn = false, tokenId = config.TokenId, revoked = revoked || gone, path }, JsonOutput));
        }
        else if (revoked || gone)
        {
            context.Out.WriteLine(revoked
                ? $"Signed out: revoked the token {config.TokenId} on {config.Url} and removed it from {path}."
                : $"Signed out: the token {config.TokenId} had already expired or been revoked; removed it from {path}.");
        }
        return exitCode;
    }
}
