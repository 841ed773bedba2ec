using System.CommandLine;
using ChangeTrail.Cli.Commands.Changes;
using ChangeTrail.Cli.Commands.Evidence;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;

namespace ChangeTrail.Cli.Commands.Pipeline;

/// <summary>
/// <c>changetrail verify --change CR-12 --outcome success|failed [--evidence smoke.xml]</c>: the post-deployment
/// verification (POST /changes/{id}/verify). With <c>--evidence</c> the file is uploaded first as <c>smoke</c> evidence of
/// the change and cited; without <c>--outcome</c> the server takes the outcome from whether it passes. A failed verification
/// exits 1 and says how to record the rollback.
/// </summary>
internal static class VerifyChangeCommand
{
    public static Command Create(CliContext context)
    {
        var change = PipelineOptions.Change();
        var outcome = new Option<string>("--outcome")
        {
            Description = "success or failed; may be left out with --evidence, whose result then decides.",
            HelpName = "OUTCOME",
        };
        outcome.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Enum.GetNames<VerificationOutcome>().Select(n => n.ToLowerInvariant()).ToArray());
        var notes = new Option<string>("--notes", "-m") { Description = "What was checked, and what was seen.", HelpName = "TEXT" };
        var evidence = new Option<FileInfo>("--evidence")
        {
            Description = "Smoke test results (JUnit XML, TRX, SARIF) to upload and cite.",
            HelpName = "FILE",
        }.AcceptExistingOnly();
        var commit = PipelineOptions.Commit(required: false, "The commit the smoke tests ran on; by default the change's first commit.");
        var environment = PipelineOptions.Environment(required: false, "The environment the smoke tests ran against.");
        var retries = PipelineOptions.Retries();
        var command = new Command("verify", "Record the post-deployment verification of a change; exit 1 when it failed.")
        {
            change, outcome, notes, evidence, commit, environment, retries,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(outcome) is null && result.GetResult(evidence) is null)
                result.AddError("Give --outcome success|failed, or --evidence with the smoke test results that decide it.");
            foreach (var option in new Option[] { commit, environment }.Where(o => result.GetResult(o) is not null))
            {
                if (result.GetResult(evidence) is null)
                    result.AddError($"{option.Name} describes the --evidence file; give it with --evidence only.");
            }
        });

        command.SetAction((parse, cancellationToken) => PipelineOptions.WithServerAsync(context, parse, retries, async server =>
        {
            var number = parse.GetValue(change)!;
            var json = context.Json(parse);
            Guid? cited = null;
            if (parse.GetValue(evidence) is { } file)
            {
                var sha = parse.GetValue(commit);
                if (sha is null)
                {
                    var shown = await server.GetAsync(ChangesCommand.PathOf(number), cancellationToken);
                    if (!shown.IsSuccess)
                        return shown.ExitCode;
                    if (shown.Read<ChangeResponse>().Commits is not [var first, ..])
                    {
                        context.Error.WriteLine($"error: {number} names no commit to file the smoke test results under; pass --commit.");
                        return ExitCodes.UsageOrConnection;
                    }
                    sha = first.Sha;
                }
                var (uploadExit, uploaded, _) = await UploadEvidenceCommand.UploadAsync(context, server, file, number, sha, "smoke",
                    parse.GetValue(environment), json, cancellationToken);
                if (uploaded is null)
                    return uploadExit;
                cited = uploaded.Id;
            }

            var given = parse.GetValue(outcome) is { } text ? Enum.Parse<VerificationOutcome>(text, ignoreCase: true) : (VerificationOutcome?)null;
            var response = await server.PostAsync(ChangesCommand.PathOf(number, "verify"), new VerifyRequest(given, parse.GetValue(notes), cited),
                cancellationToken);
            if (!response.IsSuccess)
                return response.ExitCode;
            var verified = response.Read<ChangeResponse>();
            var failed = verified.State is ChangeState.Failed || given is VerificationOutcome.Failed;
            if (json)
            {
                context.Out.WriteLine(response.Body);
            }
            else if (failed)
            {
                context.Out.WriteLine($"verification failed: {verified.Number} is {verified.State}.");
                context.Out.WriteLine($"rollback plan: {verified.RollbackPlan?.ReplaceLineEndings(" ").Trim() ?? "(none written)"}");
                context.Out.WriteLine($"once rolled back, record it: changetrail rollback --change {verified.Number} --notes \"what was done\"");
            }
            else
            {
                context.Out.WriteLine($"verified: {verified.Number} is {verified.State}.");
            }
            return failed ? ExitCodes.Denied : ExitCodes.Success;
        }));
        return command;
    }
}
