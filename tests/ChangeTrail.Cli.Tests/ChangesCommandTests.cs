using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Cli.Tests;

/// <summary>The change commands against the real server, in-process on SQLite.</summary>
public sealed class ChangesCommandTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private readonly Scenario _scenario = new(app);
    private readonly CliRunner _cli = new(app.Server.CreateHandler());

    [Fact]
    public async Task Create_from_flags_drafts_the_change_and_show_prints_its_fields()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var service = await _scenario.ServiceAsync();
        var fields = _scenario.CompleteChange(service);

        var created = await _cli.RunAsync(requestor.Token, CreateArgs(fields));

        created.ExitCode.ShouldBe(ExitCodes.Success, created.ToString());
        var number = Regex.Match(created.Out, @"^Created (CR-\d+) in state Draft\.", RegexOptions.Multiline);
        number.Success.ShouldBeTrue(created.ToString());

        var shown = await _cli.RunAsync(requestor.Token, "changes", "show", number.Groups[1].Value);

        shown.ExitCode.ShouldBe(ExitCodes.Success, shown.ToString());
        shown.Out.ShouldStartWith($"{number.Groups[1].Value}  {fields.Title}");
        shown.Out.ShouldMatch(@"State\s+Draft");
        shown.Out.ShouldMatch($@"Services\s+{service}");
        shown.Out.ShouldMatch($@"Requestor\s+Person {Regex.Escape(requestor.Email)}");
        shown.Out.ShouldMatch(@"Commits\s+a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0 \(dev@example\.test\)");
        shown.Out.ShouldMatch(@"Missing fields\s+none");
        shown.Out.ShouldContain("Risk: Low (questionnaire v");
        shown.Out.ShouldMatch(@"Low\s+.\s+Low\s+.\s+Low\s+.\s+Low");
        shown.Out.ShouldContain(fields.PlannedStart!.Value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        shown.Out.ShouldMatch($@"Person {Regex.Escape(requestor.Email)}\s+.\s+created");
        shown.Out.ShouldNotContain("\u001b[");

        // The server holds exactly what the flags said, not just something the CLI printed.
        var stored = await requestor.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number.Groups[1].Value}");
        stored.Purpose.ShouldBe(fields.Purpose);
        stored.RollbackPlan.ShouldBe(fields.RollbackPlan);
        stored.PlannedEnd.ShouldBe(fields.PlannedEnd);
        stored.RiskAnswers.ShouldBe(fields.RiskAnswers!, ignoreOrder: true);
        stored.Links.ShouldBe(fields.Links!);
        stored.MissingFields.ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_from_file_sends_the_json_body_and_json_output_is_the_created_change()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var service = await _scenario.ServiceAsync();
        var fields = _scenario.CompleteChange(service) with { Title = $"From a file {Scenario.Unique()}" };
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(fields, ApiJson.Options), TestContext.Current.CancellationToken);

            var result = await _cli.RunAsync(requestor.Token, "changes", "create", "--file", file, "--json");

            result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
            var created = JsonSerializer.Deserialize<ChangeResponse>(result.Out, ApiJson.Options)!;
            created.Title.ShouldBe(fields.Title);
            created.State.ShouldBe(ChangeState.Draft);
            created.Services.Single().Name.ShouldBe(service);
            created.MissingFields.ShouldBeEmpty();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Create_from_file_with_an_unknown_member_exits_2_naming_it()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var file = Path.GetTempFileName();
        try
        {
            // Sent as is: the CLI does not drop what it does not know, the server refuses it (400).
            await File.WriteAllTextAsync(file, """{"type": "Normal", "title": "t", "colour": "red"}""", TestContext.Current.CancellationToken);

            var result = await _cli.RunAsync(requestor.Token, "changes", "create", "--file", file);

            result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
            result.Error.ShouldContain("[malformed-request]");
            result.Error.ShouldContain("  colour: Unknown member.");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task List_filtered_by_service_shows_only_its_changes_and_json_output_parses()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var wanted = await _scenario.ServiceAsync();
        var other = await _scenario.ServiceAsync();
        var mine = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", _scenario.CompleteChange(wanted));
        var notMine = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", _scenario.CompleteChange(other));

        var table = await _cli.RunAsync(requestor.Token, "changes", "list", "--service", wanted, "--state", "draft");

        table.ExitCode.ShouldBe(ExitCodes.Success, table.ToString());
        table.Out.ShouldMatch(@"Number\s+.\s+Type\s+.\s+State\s+.\s+Risk\s+.\s+Title\s+.\s+Requestor\s+.\s+Planned start");
        table.Out.ShouldMatch($@"\b{mine.Number}\s+.\s+Normal\s+.\s+Draft\s+.\s+Low\s+.\s+{Regex.Escape(mine.Title)}\s+.\s+Person {Regex.Escape(requestor.Email)}");
        table.Out.ShouldNotMatch($@"\b{notMine.Number}\b");
        table.Out.ShouldContain("page 1 of 1 (1 change)");
        table.Out.ShouldNotContain("\u001b[");

        var json = await _cli.RunAsync(requestor.Token, "changes", "list", "--service", wanted, "--json");

        json.ExitCode.ShouldBe(ExitCodes.Success, json.ToString());
        var page = JsonSerializer.Deserialize<PagedResponse<ChangeSummary>>(json.Out, ApiJson.Options)!;
        page.Total.ShouldBe(1);
        page.Items.Single().Number.ShouldBe(mine.Number);
    }

    [Fact]
    public async Task Submit_with_missing_fields_exits_1_and_names_every_field()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var service = await _scenario.ServiceAsync();
        var created = await _cli.RunAsync(requestor.Token, "changes", "create", "--type", "Normal", "--title", "Half a change",
            "--service", service, "--json");
        created.ExitCode.ShouldBe(ExitCodes.Success, created.ToString());
        var number = JsonSerializer.Deserialize<ChangeResponse>(created.Out, ApiJson.Options)!.Number;

        var result = await _cli.RunAsync(requestor.Token, "changes", "submit", number);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        var lines = result.Error.TrimEnd().Split('\n');
        lines[0].ShouldStartWith("error: Required fields are missing: Fill in purpose, scope");
        lines[0].ShouldEndWith("[missing-required-fields]");
        foreach (var field in new[] { "purpose", "scope", "impactAnalysis", "rollbackPlan", "testPlan", "testResults", "plannedStart",
                     "plannedEnd", "riskAnswers.downtime" })
            lines.ShouldContain($"  {field}: Required before the change can go further.");
        lines.ShouldNotContain("  services: Required before the change can go further.");
        result.Out.ShouldBeEmpty();
    }

    [Fact]
    public async Task Create_submit_and_approve_by_another_user_then_show_says_approved()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var approver = await _scenario.PersonAsync(Role.ChangeApprover);
        var service = await _scenario.ServiceAsync();
        var created = await _cli.RunAsync(requestor.Token, CreateArgs(_scenario.CompleteChange(service)));
        var number = Regex.Match(created.Out, @"CR-\d+").Value;

        var submitted = await _cli.RunAsync(requestor.Token, "changes", "submit", number);
        submitted.ExitCode.ShouldBe(ExitCodes.Success, submitted.ToString());
        submitted.Out.ShouldBe($"Submitted {number}: state Submitted, risk Low; awaiting a Change Approver.\n");

        var approved = await _cli.RunAsync(approver.Token, "changes", "approve", number, "--comment", "Looks safe");
        approved.ExitCode.ShouldBe(ExitCodes.Success, approved.ToString());
        approved.Out.ShouldBe($"Approved {number}: state Approved.\n");

        var shown = await _cli.RunAsync(requestor.Token, "changes", "show", number);
        shown.ExitCode.ShouldBe(ExitCodes.Success, shown.ToString());
        shown.Out.ShouldMatch(@"State\s+Approved");
        shown.Out.ShouldMatch($@"a Change Approver\s+.\s+Person {Regex.Escape(approver.Email)}");
        shown.Out.ShouldMatch($@"Person {Regex.Escape(approver.Email)}\s+.\s+Approve\s+.\s+Looks safe");
        shown.Out.ShouldNotContain("outstanding");
    }

    [Fact]
    public async Task Approving_your_own_change_exits_1_with_self_approval_forbidden()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor, Role.ChangeApprover);
        var number = await SubmittedChangeAsync(requestor);

        var result = await _cli.RunAsync(requestor.Token, "changes", "approve", number);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldBe("error: You cannot approve your own change: You requested this change; someone else must decide on it " +
            "(policy 3.7). [self-approval-forbidden]\n");
        result.Out.ShouldBeEmpty();
        (await requestor.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}")).State.ShouldBe(ChangeState.Submitted);
    }

    [Fact]
    public async Task A_refusal_with_json_also_prints_the_problem_document_on_stdout()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor, Role.ChangeApprover);
        var number = await SubmittedChangeAsync(requestor);

        var result = await _cli.RunAsync(requestor.Token, "changes", "approve", number, "--json");

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        var problem = JsonSerializer.Deserialize<Problem>(result.Out, ApiJson.Options)!;
        problem.Type.ShouldBe("/problems/self-approval-forbidden");
        problem.Status.ShouldBe(403);
        result.Error.ShouldContain("[self-approval-forbidden]");
    }

    [Fact]
    public async Task Reject_with_a_comment_rejects_the_change()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var approver = await _scenario.PersonAsync(Role.ChangeApprover);
        var number = await SubmittedChangeAsync(requestor);

        var result = await _cli.RunAsync(approver.Token, "changes", "reject", number, "--comment", "No rollback tested");

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Out.ShouldBe($"Rejected {number}: state Rejected.\n");
        var stored = await requestor.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}");
        stored.State.ShouldBe(ChangeState.Rejected);
        stored.Approvals.Single().Comment.ShouldBe("No rollback tested");
    }

    [Fact]
    public async Task Show_of_an_unknown_change_exits_1()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);

        var result = await _cli.RunAsync(requestor.Token, "changes", "show", "CR-999999");

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldStartWith("error: ");
        result.Error.ShouldContain("[not-found]");
        result.Out.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unknown_token_exits_2_not_1()
    {
        var result = await _cli.RunAsync("ctp_not_a_real_token", "changes", "list");

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldContain("hint: check --token or CHANGETRAIL_TOKEN.");
        _cli.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task Token_and_url_flags_override_the_environment()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);

        var result = await _cli.RunAsync("ctp_not_a_real_token", "changes", "list", "--token", requestor.Token, "--url", "http://localhost/");

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Out.ShouldContain("page 1 of ");
    }

    private async Task<string> SubmittedChangeAsync(Person requestor)
    {
        var service = await _scenario.ServiceAsync();
        var change = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", _scenario.CompleteChange(service));
        var submitted = await requestor.Client.PostAsync($"/api/v1/changes/{change.Id}/submit");
        submitted.StatusCode.ShouldBe(HttpStatusCode.OK);
        return change.Number;
    }

    /// <summary>The <c>changes create</c> command line carrying every field of <paramref name="fields"/> as flags.</summary>
    private static string[] CreateArgs(ChangeFields fields) =>
    [
        "changes", "create",
        "--type", fields.Type!.Value.ToString(),
        "--title", fields.Title!,
        "--purpose", fields.Purpose!,
        "--scope", fields.Scope!,
        "--impact", fields.ImpactAnalysis!,
        "--rollback-plan", fields.RollbackPlan!,
        "--test-plan", fields.TestPlan!,
        "--test-results", fields.TestResults!,
        "--start", fields.PlannedStart!.Value.ToString("O", CultureInfo.InvariantCulture),
        "--end", fields.PlannedEnd!.Value.ToString("O", CultureInfo.InvariantCulture),
        .. fields.Services!.SelectMany(s => new[] { "--service", s }),
        .. fields.RiskAnswers!.SelectMany(a => new[] { "--risk", $"{a.Key}={a.Value}" }),
        .. fields.Commits!.SelectMany(c => new[] { "--commit", $"{c.Sha}:{c.AuthorEmail}" }),
        .. fields.Links!.SelectMany(l => new[] { "--link", l }),
    ];
}
