using System.CommandLine;
using ChangeTrail.Cli.Commands.Changes;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Pipeline;

/// <summary><c>changetrail rollback --change CR-12 [--notes ...]</c>: records that a failed change was rolled back (Failed → RolledBack).</summary>
internal static class RollbackCommand
{
    public static Command Create(CliContext context)
    {
        var change = PipelineOptions.Change();
        var notes = new Option<string>("--notes", "-m") { Description = "What was rolled back, and how.", HelpName = "TEXT" };
        var retries = PipelineOptions.Retries();
        var command = new Command("rollback", "Record that a change whose verification failed was rolled back.") { change, notes, retries };
        command.SetAction((parse, cancellationToken) => PipelineOptions.WithServerAsync(context, parse, retries, async server =>
        {
            var response = await server.PostAsync(ChangesCommand.PathOf(parse.GetValue(change)!, "rollback"),
                new NotesRequest(parse.GetValue(notes), null), cancellationToken);
            if (!response.IsSuccess)
                return response.ExitCode;
            if (context.Json(parse))
            {
                context.Out.WriteLine(response.Body);
                return ExitCodes.Success;
            }
            var rolledBack = response.Read<ChangeResponse>();
            context.Out.WriteLine($"rolled back: {rolledBack.Number} is {rolledBack.State}.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
