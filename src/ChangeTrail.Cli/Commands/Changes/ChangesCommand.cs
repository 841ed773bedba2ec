using System.CommandLine;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Changes;

/// <summary><c>changetrail changes ...</c>: change requests, one subcommand per API call.</summary>
internal static class ChangesCommand
{
    public static Command Create(CliContext context) => new("changes", "Draft, list, show, submit and decide on change requests.")
    {
        ListChangesCommand.Create(context),
        ShowChangeCommand.Create(context),
        CreateChangeCommand.Create(context),
        SubmitChangeCommand.Create(context),
        DecideChangeCommand.Create(context, approve: true),
        DecideChangeCommand.Create(context, approve: false),
    };

    /// <summary>The positional CR argument shared by show, submit, approve and reject.</summary>
    public static Argument<string> ChangeArgument() => new("change")
    {
        Description = "The change request's number (CR-12) or id.",
        HelpName = "CR",
    };

    /// <summary>The API path of one change request; the number or id is escaped, never trusted as a path.</summary>
    public static string PathOf(string change, string? action = null) =>
        $"changes/{Uri.EscapeDataString(change.Trim())}" + (action is null ? "" : $"/{action}");

    /// <summary>"a Change Approver and a CAB member", or null when nothing is outstanding.</summary>
    public static string? Outstanding(ChangeResponse change)
    {
        var open = change.RequiredApprovals.Where(a => a.FilledBy is null).Select(a => a.Description).ToList();
        return open.Count == 0 ? null : string.Join(" and ", open);
    }
}
