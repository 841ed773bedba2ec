using System.CommandLine;
using ChangeTrail.Cli.Http;

namespace ChangeTrail.Cli.Commands.Pipeline;

/// <summary>
/// What the pipeline commands (<c>gate</c>, <c>deploy</c>, <c>evidence upload</c>, <c>verify</c>, <c>rollback</c>) share: the
/// options naming a change, service, environment and commit, and <c>--retries</c>, since a pipeline must ride out a server
/// restart or a load balancer's hiccup rather than fail a release on it.
/// </summary>
internal static class PipelineOptions
{
    public static Option<string> Change(bool required = true) => new("--change")
    {
        Description = "The change request's number (CR-12) or id.",
        HelpName = "CR",
        Required = required,
    };

    public static Option<string> Service() => new("--service")
    {
        Description = "The service deployed, by name.",
        HelpName = "NAME",
        Required = true,
    };

    public static Option<string> Environment(bool required = true, string description = "The environment deployed to (staging, production, ...).") =>
        new("--env", "--environment")
        {
            Description = description,
            HelpName = "ENV",
            Required = required,
        };

    public static Option<string> Commit(bool required = true, string description = "The commit deployed (its SHA).") => new("--commit")
    {
        Description = description,
        HelpName = "SHA",
        Required = required,
    };

    public static Option<string> Artifact() => new("--artifact")
    {
        Description = "The artifact deployed (an image digest or tag), if the change names artifacts.",
        HelpName = "ARTIFACT",
    };

    public static Option<int?> Retries()
    {
        var option = new Option<int?>("--retries")
        {
            Description = $"How often to send a request again when the server cannot be reached or a gateway answers 502/503/504, " +
                $"waiting 0.5 s, then 1 s, 2 s, ... Never after a refusal. Defaults to ${RetryPolicy.RetriesVariable}, then {RetryPolicy.DefaultRetries}.",
            HelpName = "N",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } retries && retries is < 0 or > RetryPolicy.MaxRetries)
                result.AddError($"--retries must be from 0 to {RetryPolicy.MaxRetries}.");
        });
        return option;
    }

    /// <summary>
    /// <see cref="CliContext.WithServerAsync"/> with the retry policy of <paramref name="retries"/> (or its variable); a
    /// variable that is no number is a usage error, reported before anything is sent.
    /// </summary>
    public static Task<int> WithServerAsync(CliContext context, ParseResult parse, Option<int?> retries, Func<ServerClient, Task<int>> work)
    {
        if (RetryPolicy.Resolve(parse.GetValue(retries), context.Variable(RetryPolicy.RetriesVariable), out var problem) is not { } retry)
        {
            context.Error.WriteLine($"error: {problem}");
            return Task.FromResult(ExitCodes.UsageOrConnection);
        }
        return context.WithServerAsync(parse, work, retry);
    }

    /// <summary>A commit as people write it in a log line: a full hexadecimal SHA shortened to 7 characters, anything else as it is.</summary>
    public static string Short(string commit) =>
        commit.Length > 7 && commit.All(Uri.IsHexDigit) ? commit[..7] : commit;

    /// <summary>"CR-12 api → production @ abc1234": what a gate decision or deployment is about, in one phrase.</summary>
    public static string Subject(string? change, string service, string environment, string commit) =>
        $"{change ?? "(no change)"} {service} → {environment} @ {Short(commit)}";
}
