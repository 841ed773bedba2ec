using System.CommandLine;
using ChangeTrail.Cli.Output;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Risk;
using Spectre.Console;

namespace ChangeTrail.Cli.Commands.Changes;

/// <summary><c>changes list</c>: GET /changes with its filters, as a table.</summary>
internal static class ListChangesCommand
{
    public static Command Create(CliContext context)
    {
        // Enum filters are checked here too, so a typo is a usage error with the valid names, before any request.
        var state = EnumOption<ChangeState>("--state", "Only changes in this state.");
        var type = EnumOption<ChangeType>("--type", "Only changes of this type.");
        var risk = EnumOption<RiskLevel>("--risk", "Only changes with this overall risk.");
        var service = new Option<string>("--service") { Description = "Only changes touching this service (name or id).", HelpName = "NAME" };
        var query = new Option<string>("--query", "-q") { Description = "Search number, title and text.", HelpName = "TEXT" };
        var page = new Option<int>("--page") { Description = "Page number, from 1.", HelpName = "N" };
        var pageSize = new Option<int>("--page-size") { Description = "Changes per page (server default 25, at most 200).", HelpName = "N" };

        var command = new Command("list", "List change requests, newest first.") { state, type, service, risk, query, page, pageSize };
        command.SetAction((parse, cancellationToken) => context.WithServerAsync(parse, async server =>
        {
            var path = "changes" + QueryString(
                ("state", parse.GetValue(state)),
                ("type", parse.GetValue(type)),
                ("service", parse.GetValue(service)),
                ("risk", parse.GetValue(risk)),
                ("q", parse.GetValue(query)),
                ("page", parse.GetResult(page) is null ? null : parse.GetValue(page).ToString()),
                ("pageSize", parse.GetResult(pageSize) is null ? null : parse.GetValue(pageSize).ToString()));
            var response = await server.GetAsync(path, cancellationToken);
            if (!response.IsSuccess)
                return response.ExitCode;
            if (context.Json(parse))
            {
                context.Out.WriteLine(response.Body);
                return ExitCodes.Success;
            }
            Render(context.Console, response.Read<PagedResponse<ChangeSummary>>());
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Render(IAnsiConsole console, PagedResponse<ChangeSummary> page)
    {
        if (page.Items.Count == 0)
        {
            console.WriteLine("No change requests match.");
        }
        else
        {
            var table = new Table().Border(TableBorder.Rounded);
            table.AddColumns("Number", "Type", "State", "Risk", "Title", "Requestor", "Planned start");
            foreach (var change in page.Items)
            {
                table.AddRow(Formats.Cell(change.Number), Formats.Cell(change.Type.ToString()), Formats.Cell(change.State.ToString()),
                    Formats.Cell(change.Risk.ToString()), Formats.Cell(change.Title), Formats.Cell(change.Requestor.DisplayName),
                    Formats.Cell(Formats.When(change.PlannedStart)));
            }
            console.Write(table);
        }
        var pages = Math.Max(1, (page.Total + page.PageSize - 1) / Math.Max(1, page.PageSize));
        console.WriteLine($"page {page.Page} of {pages} ({page.Total} {(page.Total == 1 ? "change" : "changes")})");
    }

    private static Option<string> EnumOption<T>(string name, string description) where T : struct, Enum
    {
        var option = new Option<string>(name) { Description = description, HelpName = typeof(T).Name.ToUpperInvariant() };
        option.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Enum.GetNames<T>());
        return option;
    }

    private static string QueryString(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrWhiteSpace(p.Value))
            .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}")
            .ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }
}
