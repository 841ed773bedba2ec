using System.CommandLine;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;

namespace ChangeTrail.Cli.Commands.Changes;

/// <summary>
/// <c>changes approve CR-12</c> and <c>changes reject CR-12 --comment ...</c>: POST /changes/{id}/approvals.
/// Separation-of-duties refusals come back as 403 problems and end the run with exit code 1.
/// </summary>
internal static class DecideChangeCommand
{
    public static Command Create(CliContext context, bool approve)
    {
        var change = ChangesCommand.ChangeArgument();
        var comment = new Option<string>("--comment", "-m")
        {
            Description = approve ? "Why you approve (optional)." : "Why you reject (required: the requestor needs to know).",
            HelpName = "TEXT",
            // A rejection without a reason leaves the requestor nothing to fix, so it is refused before sending.
            Required = !approve,
        };
        var command = approve
            ? new Command("approve", "Approve a submitted change request.") { change, comment }
            : new Command("reject", "Reject a submitted change request.") { change, comment };

        command.SetAction((parse, cancellationToken) => context.WithServerAsync(parse, async server =>
        {
            var decision = new DecisionRequest(approve ? ApprovalDecision.Approve : ApprovalDecision.Reject, parse.GetValue(comment));
            var response = await server.PostAsync(ChangesCommand.PathOf(parse.GetRequiredValue(change), "approvals"), decision,
                cancellationToken);
            if (!response.IsSuccess)
                return response.ExitCode;
            if (context.Json(parse))
            {
                context.Out.WriteLine(response.Body);
                return ExitCodes.Success;
            }
            var decided = response.Read<ChangeResponse>();
            var awaiting = ChangesCommand.Outstanding(decided);
            context.Out.WriteLine($"{(approve ? "Approved" : "Rejected")} {decided.Number}: state {decided.State}" +
                (awaiting is null || decided.State != ChangeState.Submitted ? "." : $"; still awaiting {awaiting}."));
            return ExitCodes.Success;
        }));
        return command;
    }
}
