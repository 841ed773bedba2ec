using System.CommandLine;
using ChangeTrail.Cli.Http;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Cli.Commands.Pipeline;

/// <summary>
/// <c>changetrail deploy ... --status started|succeeded|failed</c> records one step of a deployment (POST /deployments);
/// <c>changetrail deploy ... -- command args...</c> does the whole of it: asks the gate, and only when allowed records
/// <c>started</c>, runs the command, and records <c>succeeded</c> or <c>failed</c> with its exit code, which becomes the
/// CLI's own.
/// </summary>
internal static class DeployCommand
{
    public static Command Create(CliContext context)
    {
        var change = PipelineOptions.Change();
        var service = PipelineOptions.Service();
        var environment = PipelineOptions.Environment();
        var commit = PipelineOptions.Commit();
        var artifact = PipelineOptions.Artifact();
        var status = new Option<string>("--status")
        {
            Description = "Record this step of the deployment: started, succeeded or failed. Not with a command after --.",
            HelpName = "STATUS",
        };
        status.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Enum.GetNames<DeploymentStatus>().Select(n => n.ToLowerInvariant()).ToArray());
        var pipelineUrl = new Option<string>("--pipeline-url")
        {
            Description = "The pipeline run's page; defaults to what the CI says (CI_JOB_URL, GitHub Actions' run, BUILD_URL).",
            HelpName = "URL",
        };
        var gateId = new Option<Guid?>("--gate-id")
        {
            Description = "The gate decision that allowed it (with --status); by default the server takes your latest allowing decision.",
            HelpName = "ID",
        };
        var exitCode = new Option<int?>("--exit-code")
        {
            Description = "The deploy command's exit code (with --status).",
            HelpName = "N",
        };
        var retries = PipelineOptions.Retries();
        var run = new Argument<string[]>("command")
        {
            Description = "After --: the deploy command and its arguments, run only if the gate allows it.",
            HelpName = "COMMAND",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("deploy",
            "Record a deployment step with --status, or ask the gate and run the deploy command after --, recording how it went.")
        {
            change, service, environment, commit, artifact, status, pipelineUrl, gateId, exitCode, retries, run,
        };
        command.Validators.Add(result =>
        {
            var hasCommand = result.GetValue(run) is { Length: > 0 };
            var hasStatus = result.GetResult(status) is not null;
            if (hasCommand == hasStatus)
            {
                result.AddError("Give either --status started|succeeded|failed, or the deploy command after -- (one of them).");
            }
            else if (hasCommand)
            {
                foreach (var option in new Option[] { gateId, exitCode }.Where(o => result.GetResult(o) is not null))
                    result.AddError($"{option.Name} goes with --status only: with a deploy command the gate and its exit code are known.");
            }
        });

        command.SetAction((parse, cancellationToken) => PipelineOptions.WithServerAsync(context, parse, retries, server =>
        {
            var request = new DeploymentRequest(parse.GetValue(change), parse.GetValue(service), parse.GetValue(environment), parse.GetValue(commit),
                parse.GetValue(artifact), Status: null, parse.GetValue(pipelineUrl) ?? PipelineUrl(context), parse.GetValue(gateId),
                parse.GetValue(exitCode));
            var json = context.Json(parse);
            return parse.GetValue(run) is { Length: > 0 } deployCommand
                ? RunAsync(context, server, request, deployCommand, json, cancellationToken)
                : RecordAsync(context, server, request with { Status = Enum.Parse<DeploymentStatus>(parse.GetValue(status)!, ignoreCase: true) },
                    json, cancellationToken);
        }));
        return command;
    }

    /// <summary>Gate, started, the command, then succeeded or failed: the exit code is the command's (or 1, 2 from ChangeTrail).</summary>
    private static async Task<int> RunAsync(CliContext context, ServerClient server, DeploymentRequest request, string[] command, bool json,
        CancellationToken cancellationToken)
    {
        var question = new GateRequest(request.Change, null, request.Service, request.Environment, request.Commit, request.Artifact);
        var (gateExit, decision) = await GateCommand.AskAsync(context, server, question, json, cancellationToken);
        if (decision is null || gateExit != ExitCodes.Success)
        {
            context.Error.WriteLine($"The deploy command was not run: {DeployProcess.Display(command)}");
            return gateExit;
        }

        request = request with { GateId = decision.GateId };
        // Signals are held from here on: once started is recorded, the CLI stays until the end is recorded too.
        using var process = new DeployProcess(forwardInterrupt: !context.Input.IsTerminal);
        var started = await RecordAsync(context, server, request with { Status = DeploymentStatus.Started }, json, cancellationToken);
        if (started != ExitCodes.Success)
        {
            context.Error.WriteLine($"The deploy command was not run, as its start could not be recorded: {DeployProcess.Display(command)}");
            return started;
        }

        // The child writes straight to the same stdout and stderr; what the CLI wrote so far must come first.
        await context.Out.FlushAsync(cancellationToken);
        await context.Error.FlushAsync(cancellationToken);
        var outcome = await process.RunAsync(command);
        if (outcome.StartError is not null)
            context.Error.WriteLine($"error: cannot run {command[0]}: {outcome.StartError}");
        else if (outcome.Interrupted is { } signal)
            context.Error.WriteLine($"warning: {signal} received and passed on to the deploy command; it exited with {outcome.ExitCode}.");

        var end = request with { Status = outcome.Succeeded ? DeploymentStatus.Succeeded : DeploymentStatus.Failed, ExitCode = outcome.ExitCode };
        var finished = await RecordAsync(context, server, end, json, cancellationToken);
        if (finished != ExitCodes.Success)
        {
            context.Error.WriteLine($"error: THE DEPLOYMENT RAN ({(outcome.Succeeded ? "succeeded" : $"failed, exit code {outcome.ExitCode}")}) " +
                "BUT ITS END WAS NOT RECORDED in ChangeTrail. Record it with:");
            context.Error.WriteLine($"  changetrail deploy --change {end.Change} --service {end.Service} --env {end.Environment} --commit {end.Commit}" +
                (end.Artifact is null ? "" : $" --artifact {end.Artifact}") +
                $" --status {end.Status!.Value.ToString().ToLowerInvariant()} --gate-id {end.GateId} --exit-code {end.ExitCode}");
            return ExitCodes.UsageOrConnection;
        }
        return outcome.Succeeded ? ExitCodes.Success : DeployProcess.ExitCodeOf(outcome);
    }

    /// <summary>POST /deployments; prints <c>deployment started: CR-12 api → production @ abc1234 (deployment ID)</c>, or the JSON.</summary>
    private static async Task<int> RecordAsync(CliContext context, ServerClient server, DeploymentRequest request, bool json,
        CancellationToken cancellationToken)
    {
        var response = await server.PostAsync("deployments", request, cancellationToken);
        if (!response.IsSuccess)
            return response.ExitCode;
        if (json)
        {
            context.Out.WriteLine(response.Body);
            return ExitCodes.Success;
        }
        var recorded = response.Read<DeploymentDto>();
        var status = recorded.Status.ToString().ToLowerInvariant();
        var code = recorded.Status == DeploymentStatus.Failed && recorded.ExitCode is { } exit ? $" (exit code {exit})" : "";
        context.Out.WriteLine($"deployment {status}{code}: " +
            $"{PipelineOptions.Subject(recorded.Change, recorded.Service, recorded.Environment, recorded.Commit)} (deployment {recorded.Id})");
        return ExitCodes.Success;
    }

    /// <summary>The pipeline run's page, as the CI in which the CLI runs names it, or null.</summary>
    private static string? PipelineUrl(CliContext context)
    {
        string? Variable(string name) => context.Variable(name) is { Length: > 0 } value ? value : null;
        if (Variable("CI_JOB_URL") is { } gitlab)
            return gitlab;
        if (Variable("GITHUB_SERVER_URL") is { } server && Variable("GITHUB_REPOSITORY") is { } repository && Variable("GITHUB_RUN_ID") is { } run)
            return $"{server.TrimEnd('/')}/{repository}/actions/runs/{run}";
        return Variable("BUILD_URL");
    }
}
