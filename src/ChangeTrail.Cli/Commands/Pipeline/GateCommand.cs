using System.CommandLine;
using ChangeTrail.Cli.Http;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Pipeline;

/// <summary>
/// <c>changetrail gate --change CR-12 --service api --env production --commit SHA</c>: POST /gate, "may this commit go to
/// this environment under this change?". The answer is the exit code: 0 allowed, 1 denied (with every reason), 2 when no
/// answer was given (usage, credentials, no server).
/// </summary>
internal static class GateCommand
{
    public const string Allow = "allow";

    public static Command Create(CliContext context)
    {
        var change = PipelineOptions.Change(required: false);
        var template = new Option<string>("--template")
        {
            Description = "A published Standard change template to deploy under instead of --change; the gate opens the change itself.",
            HelpName = "NAME",
        };
        var service = PipelineOptions.Service();
        var environment = PipelineOptions.Environment();
        var commit = PipelineOptions.Commit();
        var artifact = PipelineOptions.Artifact();
        var retries = PipelineOptions.Retries();
        var command = new Command("gate", "Ask whether a commit may be deployed to an environment under a change; exit 0 allowed, 1 denied.")
        {
            change, template, service, environment, commit, artifact, retries,
        };
        command.Validators.Add(result =>
        {
            var hasChange = result.GetResult(change) is not null;
            var hasTemplate = result.GetResult(template) is not null;
            if (hasChange == hasTemplate)
                result.AddError("Give either --change or --template (one of them).");
        });

        command.SetAction((parse, cancellationToken) => PipelineOptions.WithServerAsync(context, parse, retries, async server =>
        {
            var question = new GateRequest(parse.GetValue(change), parse.GetValue(template), parse.GetValue(service), parse.GetValue(environment),
                parse.GetValue(commit), parse.GetValue(artifact));
            var (exitCode, _) = await AskAsync(context, server, question, context.Json(parse), cancellationToken);
            return exitCode;
        }));
        return command;
    }

    /// <summary>
    /// Asks the gate and prints its answer (the decision line and one line per reason, or the JSON with
    /// <paramref name="json"/>). Returns the exit code it implies and the decision, null when there was none.
    /// </summary>
    public static async Task<(int ExitCode, GateResponse? Decision)> AskAsync(CliContext context, ServerClient server, GateRequest question,
        bool json, CancellationToken cancellationToken)
    {
        var response = await server.PostAsync("gate", question, cancellationToken);
        if (!response.IsSuccess)
            return (response.ExitCode, null);
        var decision = response.Read<GateResponse>();
        if (json)
            context.Out.WriteLine(response.Body);
        else
            Print(context.Out, decision);
        return (IsAllowed(decision) ? ExitCodes.Success : ExitCodes.Denied, decision);
    }

    public static bool IsAllowed(GateResponse decision) => string.Equals(decision.Decision, Allow, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>allowed: CR-12 api → production @ abc1234 (gate ID)</c>, or <c>denied: ...</c> followed by
    /// <c>  - code: message</c> for every reason, so the pipeline log says what to fix. A reason a cited policy exception
    /// lifted follows as <c>  ~ code (waived by EX-3): message</c>: an allow it made possible says so in the log too.
    /// </summary>
    private static void Print(TextWriter output, GateResponse decision)
    {
        var subject = PipelineOptions.Subject(decision.Change, decision.Service, decision.Environment, decision.Commit);
        output.WriteLine(IsAllowed(decision) ? $"allowed: {subject} (gate {decision.GateId})" : $"denied: {subject}");
        foreach (var reason in decision.Reasons)
            output.WriteLine($"  - {reason.Code}: {OneLine(reason.Message)}");
        foreach (var waived in decision.Waived ?? [])
            output.WriteLine($"  ~ {waived.Code} (waived by {waived.Exception}): {OneLine(waived.Message)}");
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
