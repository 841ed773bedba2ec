using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ChangeTrail.Cli.Commands.Pipeline;
using ChangeTrail.Cli.Http;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Cli.Commands.Evidence;

/// <summary>
/// <c>changetrail evidence upload --commit SHA --kind unit results.xml [more.xml ...]</c>: POST /evidence once per file,
/// streamed from disk as multipart/form-data. The server reads the format (JUnit XML, TRX, SARIF) and counts; a file whose
/// tests fail is still evidence, recorded like any other, and only the gate decides what it means.
/// </summary>
internal static class UploadEvidenceCommand
{
    public static Command Create(CliContext context)
    {
        var change = PipelineOptions.Change(required: false);
        change.Description = "The change request the evidence belongs to (CR-12), if any; the gate also finds it by commit.";
        var commit = PipelineOptions.Commit(description: "The commit the tests ran on (its SHA).");
        var kind = new Option<string>("--kind")
        {
            Description = "Which suite the files report: unit, integration, security or smoke.",
            HelpName = "KIND",
            Required = true,
        };
        kind.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Enum.GetNames<EvidenceKind>().Select(n => n.ToLowerInvariant()).ToArray());
        var environment = PipelineOptions.Environment(required: false, "The environment the tests ran against, if any (smoke tests).");
        var retries = PipelineOptions.Retries();
        var files = new Argument<FileInfo[]>("files")
        {
            Description = "JUnit XML, TRX or SARIF files; each is uploaded on its own.",
            HelpName = "FILE",
            Arity = ArgumentArity.OneOrMore,
        }.AcceptExistingOnly();
        var command = new Command("upload", "Upload test results (JUnit XML, TRX) or scans (SARIF) for a commit.")
        {
            change, commit, kind, environment, retries, files,
        };

        command.SetAction((parse, cancellationToken) => PipelineOptions.WithServerAsync(context, parse, retries, async server =>
        {
            var exitCode = ExitCodes.Success;
            var uploaded = new List<JsonElement>();
            var failing = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                var (fileExit, evidence, body) = await UploadAsync(context, server, file, parse.GetValue(change), parse.GetValue(commit)!,
                    parse.GetValue(kind)!, parse.GetValue(environment), context.Json(parse), cancellationToken);
                if (evidence is null)
                {
                    exitCode = Math.Max(exitCode, fileExit);
                    continue;
                }
                uploaded.Add(JsonSerializer.Deserialize<JsonElement>(body));
                if (!evidence.Passes)
                    failing++;
            }
            if (context.Json(parse))
                context.Out.WriteLine(JsonSerializer.Serialize(uploaded, ApiJson.Options));
            else if (failing > 0)
                context.Out.WriteLine($"note: {Count(failing, "file")} {(failing == 1 ? "reports" : "report")} failures or findings; " +
                    "uploaded and recorded all the same, but the gate will not count it as passing.");
            return exitCode;
        }));
        return command;
    }

    /// <summary>
    /// Uploads one file and prints its line (not with <paramref name="json"/>: the caller prints the JSON). Returns the
    /// exit code, and the evidence with the server's JSON when it was recorded. A file the server will not take (unreadable,
    /// unknown format, too large: any 4xx but 401 and 429) is a refusal, exit code 1, whatever its status.
    /// </summary>
    public static async Task<(int ExitCode, EvidenceResponse? Evidence, string Body)> UploadAsync(CliContext context, ServerClient server,
        FileInfo file, string? change, string commit, string kind, string? environment, bool json, CancellationToken cancellationToken)
    {
        ApiResponse response;
        try
        {
            response = await server.PostFileAsync("evidence",
                [("change", change), ("commit", commit), ("kind", kind.ToLowerInvariant()), ("environment", environment)],
                "file", file, file.Name, cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"error: cannot read {file.FullName}: {exception.Message}");
            return (ExitCodes.UsageOrConnection, null, "");
        }
        if (!response.IsSuccess)
        {
            var refused = response.Status is { } status && (int)status is >= 400 and < 500
                && status is not (HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests);
            return (refused ? ExitCodes.Denied : response.ExitCode, null, "");
        }
        var evidence = response.Read<EvidenceResponse>();
        if (!json)
            context.Out.WriteLine(Describe(evidence, file.Name));
        return (ExitCodes.Success, evidence, response.Body);
    }

    /// <summary>
    /// <c>unit results.xml: junit 41 passed, 2 failed, 1 skipped (sha256 ...) — fails</c>; a SARIF file counts its findings by
    /// level instead.
    /// </summary>
    public static string Describe(EvidenceResponse evidence, string fileName)
    {
        var counts = string.Equals(evidence.Format, "sarif", StringComparison.OrdinalIgnoreCase)
            ? $"{Count(evidence.Findings.Error, "error")}, {Count(evidence.Findings.Warning, "warning")}, {Count(evidence.Findings.Note, "note")}"
            : string.Create(CultureInfo.InvariantCulture, $"{evidence.Passed} passed, {evidence.Failed} failed, {evidence.Skipped} skipped");
        return $"{evidence.Kind.ToLowerInvariant()} {fileName}: {evidence.Format} {counts} (sha256 {evidence.Sha256}) — " +
            (evidence.Passes ? "passes" : "fails");
    }

    private static string Count(int count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");
}
