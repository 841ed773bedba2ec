using System.CommandLine;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Changes;

/// <summary><c>changes submit CR-12</c>: Draft → Submitted. A refusal (422) names every missing field on stderr.</summary>
internal static class SubmitChangeCommand
{
    public static Command Create(CliContext context)
    {
        var change = ChangesCommand.ChangeArgument();
        var command = new Command("submit", "Submit a draft for approval.") { change };
        command.SetAction((parse, cancellationToken) => context.WithServerAsync(parse, async server =>
        {
            var response = await server.PostAsync(ChangesCommand.PathOf(parse.GetRequiredValue(change), "submit"), cancellationToken);
            if (!response.IsSuccess)
                return response.ExitCode;
            if (context.Json(parse))
            {
                context.Out.WriteLine(response.Body);
                return ExitCodes.Success;
            }
            var submitted = response.Read<ChangeResponse>();
            var awaiting = ChangesCommand.Outstanding(submitted);
            context.Out.WriteLine($"Submitted {submitted.Number}: state {submitted.State}, risk {submitted.Risk.Overall}" +
                (awaiting is null ? "." : $"; awaiting {awaiting}."));
            return ExitCodes.Success;
        }));
        return command;
    }
}
