using System.CommandLine;
using ChangeTrail.Cli.Output;
using ChangeTrail.Contracts;
using Spectre.Console;

namespace ChangeTrail.Cli.Commands.Changes;

/// <summary><c>changes show CR-12</c>: one change request with what an approver or auditor asks first.</summary>
internal static class ShowChangeCommand
{
    public static Command Create(CliContext context)
    {
        var change = ChangesCommand.ChangeArgument();
        var command = new Command("show", "Show a change request: fields, risk, approvals, missing fields and timeline.") { change };
        command.SetAction((parse, cancellationToken) => context.WithServerAsync(parse, async server =>
        {
            var response = await server.GetAsync(ChangesCommand.PathOf(parse.GetRequiredValue(change)), cancellationToken);
            if (!response.IsSuccess)
                return response.ExitCode;
            if (context.Json(parse))
                context.Out.WriteLine(response.Body);
            else
                Render(context.Console, response.Read<ChangeResponse>());
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(IAnsiConsole console, ChangeResponse change)
    {
        console.Write(new Text($"{change.Number}  {change.Title}", new Style(decoration: Decoration.Bold)));
        console.WriteLine();
        console.WriteLine();

        var fields = new Grid().AddColumn(new GridColumn().PadRight(2)).AddColumn();
        void Field(string name, string? value) => fields.AddRow(Formats.Cell(name), Formats.Cell(value));
        Field("Type", change.Type.ToString());
        Field("State", change.State.ToString());
        Field("Requestor", change.Requestor.DisplayName);
        Field("Implementer", change.Implementer?.DisplayName);
        Field("Services", Formats.List(change.Services.Select(s => s.Name)));
        Field("Planned", $"{Formats.When(change.PlannedStart)} to {Formats.When(change.PlannedEnd)}");
        Field("Commits", Formats.List(change.Commits.Select(c => c.AuthorEmail is null ? c.Sha : $"{c.Sha} ({c.AuthorEmail})")));
        Field("Links", Formats.List(change.Links));
        if (change.EmergencyJustification is not null)
            Field("Justification", change.EmergencyJustification);
        Field("Created", Formats.When(change.CreatedAt));
        Field("Submitted", Formats.When(change.SubmittedAt));
        Field("Approved", Formats.When(change.ApprovedAt));
        // The gap an approver must see before anything else: what policy 3.2 still requires.
        Field("Missing fields", Formats.List(change.MissingFields, empty: "none"));
        console.Write(fields);

        Section(console, $"Risk: {change.Risk.Overall} (questionnaire v{change.Risk.QuestionnaireVersion})");
        var risk = new Table().Border(TableBorder.Rounded).AddColumns("Security", "Availability", "Operations", "Overall");
        risk.AddRow(Formats.Cell(change.Risk.Security.ToString()), Formats.Cell(change.Risk.Availability.ToString()),
            Formats.Cell(change.Risk.Operations.ToString()), Formats.Cell(change.Risk.Overall.ToString()));
        console.Write(risk);

        Section(console, "Required approvals");
        if (change.RequiredApprovals.Count == 0)
        {
            console.WriteLine("none (decided when the change is submitted)");
        }
        else
        {
            var required = new Table().Border(TableBorder.Rounded).AddColumns("Approval", "Filled by");
            foreach (var slot in change.RequiredApprovals)
                required.AddRow(Formats.Cell(slot.Description), Formats.Cell(slot.FilledBy?.DisplayName ?? "outstanding"));
            console.Write(required);
        }

        Section(console, "Approvals given");
        if (change.Approvals.Count == 0)
        {
            console.WriteLine("none");
        }
        else
        {
            var approvals = new Table().Border(TableBorder.Rounded).AddColumns("At", "Approver", "Decision", "Comment");
            foreach (var approval in change.Approvals)
            {
                // A voided approval stays visible (it is part of the record) but is marked as no longer counting.
                var decision = approval.Voided ? $"{approval.Decision} (voided {Formats.When(approval.VoidedAt)})" : approval.Decision.ToString();
                approvals.AddRow(Formats.Cell(Formats.When(approval.At)), Formats.Cell(approval.Approver.DisplayName), Formats.Cell(decision),
                    Formats.Cell(approval.Comment));
            }
            console.Write(approvals);
        }

        Section(console, "Timeline");
        var timeline = new Table().Border(TableBorder.Rounded).AddColumns("At", "Who", "Action", "Detail");
        foreach (var entry in change.Timeline)
        {
            timeline.AddRow(Formats.Cell(Formats.When(entry.At)), Formats.Cell(entry.Actor.DisplayName), Formats.Cell(entry.Action),
                Formats.Cell(entry.Detail));
        }
        console.Write(timeline);
    }

    private static void Section(IAnsiConsole console, string title)
    {
        console.WriteLine();
        console.Write(new Text(title, new Style(decoration: Decoration.Bold)));
        console.WriteLine();
    }
}
