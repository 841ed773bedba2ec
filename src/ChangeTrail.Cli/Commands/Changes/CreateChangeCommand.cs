using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using ChangeTrail.Cli.Http;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;

namespace ChangeTrail.Cli.Commands.Changes;

/// <summary>
/// <c>changes create</c>: POST /changes as a Draft, built from flags or sent verbatim from a JSON file. The
/// CLI does not check policy 3.2's required fields itself: the server names what is missing, on create and
/// on submit, so there is one set of rules.
/// </summary>
internal static class CreateChangeCommand
{
    public static Command Create(CliContext context)
    {
        var type = new Option<string>("--type") { Description = "Normal or Emergency.", HelpName = "TYPE" };
        type.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, nameof(ChangeType.Normal), nameof(ChangeType.Emergency));
        var title = Text("--title", "One-line summary.");
        var purpose = Text("--purpose", "Why the change is made.");
        var scope = Text("--scope", "What it touches.");
        var impact = Text("--impact", "Impact analysis.");
        var rollbackPlan = Text("--rollback-plan", "How to back it out.");
        var testPlan = Text("--test-plan", "How it is tested.");
        var testResults = Text("--test-results", "What the tests showed.");
        var start = Time("--start", "Planned start, ISO 8601 (UTC unless an offset is given).");
        var end = Time("--end", "Planned end, ISO 8601 (UTC unless an offset is given).");
        var services = Many("--service", "A service the change touches, by name or id; repeat for several.", "NAME");
        var risks = Many("--risk", "A risk questionnaire answer, question=option; repeat for each question.", "KEY=OPTION");
        risks.Validators.Add(result => _ = ParsePairs(result));
        var implementer = Text("--implementer", "Who implements it: a user id, email or service-account name.", "WHO");
        var commits = Many("--commit", "A commit of the change, SHA or SHA:authorEmail; repeat for several.", "SHA[:EMAIL]");
        var links = Many("--link", "A related link (pull request, ticket); repeat for several.", "URL");
        var justification = Text("--justification", "Why an Emergency change cannot wait.");
        var file = new Option<FileInfo>("--file", "-f")
        {
            Description = "A JSON body in the API's ChangeFields shape, sent as is; replaces all field options.",
            HelpName = "change.json",
        }.AcceptExistingOnly();

        Option[] fieldOptions =
        [
            type, title, purpose, scope, impact, rollbackPlan, testPlan, testResults, start, end,
            services, risks, implementer, commits, links, justification,
        ];
        var command = new Command("create", "Draft a change request from options or from --file.") { file };
        foreach (var option in fieldOptions)
            command.Add(option);

        // Either a file or flags: mixing them would leave it unclear which value wins.
        command.Validators.Add(result =>
        {
            var given = fieldOptions.Where(o => result.GetResult(o) is not null).Select(o => o.Name).ToList();
            if (result.GetResult(file) is not null)
            {
                if (given.Count > 0)
                    result.AddError($"--file cannot be combined with {string.Join(", ", given)}.");
                return;
            }
            if (result.GetResult(type) is null)
                result.AddError("--type is required (or give the whole body with --file).");
            if (result.GetResult(title) is null)
                result.AddError("--title is required (or give the whole body with --file).");
        });

        command.SetAction((parse, cancellationToken) => context.WithServerAsync(parse, async server =>
        {
            ApiResponse response;
            if (parse.GetValue(file) is { } path)
            {
                string body;
                try
                {
                    body = await File.ReadAllTextAsync(path.FullName, cancellationToken);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    context.Error.WriteLine($"error: cannot read {path.FullName}: {exception.Message}");
                    return ExitCodes.UsageOrConnection;
                }
                response = await server.PostJsonTextAsync("changes", body, cancellationToken);
            }
            else
            {
                var fields = new ChangeFields(
                    Enum.Parse<ChangeType>(parse.GetRequiredValue(type), ignoreCase: true),
                    parse.GetValue(title),
                    parse.GetValue(purpose),
                    parse.GetValue(scope),
                    parse.GetValue(impact),
                    parse.GetValue(rollbackPlan),
                    parse.GetValue(testPlan),
                    parse.GetValue(testResults),
                    parse.GetValue(start),
                    parse.GetValue(end),
                    NullIfEmpty(parse.GetValue(services)),
                    parse.GetResult(risks) is { } answers ? ParsePairs(answers) : null,
                    parse.GetValue(implementer),
                    NullIfEmpty(parse.GetValue(commits))?.Select(ParseCommit).ToList(),
                    NullIfEmpty(parse.GetValue(links)),
                    TemplateId: null,
                    parse.GetValue(justification));
                response = await server.PostAsync("changes", fields, cancellationToken);
            }
            if (!response.IsSuccess)
                return response.ExitCode;
            if (context.Json(parse))
            {
                context.Out.WriteLine(response.Body);
                return ExitCodes.Success;
            }
            var created = response.Read<ChangeResponse>();
            context.Out.WriteLine($"Created {created.Number} in state {created.State}.");
            if (created.MissingFields.Count > 0)
                context.Out.WriteLine($"Still missing before it can be submitted: {string.Join(", ", created.MissingFields)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Option<string> Text(string name, string description, string helpName = "TEXT") =>
        new(name) { Description = description, HelpName = helpName };

    private static Option<string[]> Many(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName };

    /// <summary>An ISO 8601 time option; a time without an offset is UTC.</summary>
    internal static Option<DateTime?> Time(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "ISO-8601",
        // The API speaks UTC; a time without an offset is taken as UTC rather than the machine's zone, so the
        // same command means the same instant on a laptop and on a build agent.
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return at.UtcDateTime;
            result.AddError($"{name}: '{text}' is not an ISO 8601 time, e.g. 2026-05-01T22:00Z.");
            return null;
        },
    };

    /// <summary>Reads <c>key=option</c> tokens, reporting malformed or repeated keys as parse errors.</summary>
    private static Dictionary<string, string> ParsePairs(OptionResult result)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in result.Tokens)
        {
            var (key, value) = token.Value.Split('=', 2) is [var k, var v] ? (k.Trim(), v.Trim()) : ("", "");
            if (key.Length == 0 || value.Length == 0)
                result.AddError($"--risk '{token.Value}' must be question=option, e.g. downtime=none.");
            else if (!pairs.TryAdd(key, value))
                result.AddError($"--risk {key} is answered twice.");
        }
        return pairs;
    }

    /// <summary>SHA or SHA:authorEmail. A SHA never holds a colon, so the first one separates the email.</summary>
    private static CommitDto ParseCommit(string value) =>
        value.Split(':', 2) is [var sha, var email] && email.Trim().Length > 0 ? new CommitDto(sha.Trim(), email.Trim()) : new CommitDto(value.Trim(), null);

    private static string[]? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;
}
