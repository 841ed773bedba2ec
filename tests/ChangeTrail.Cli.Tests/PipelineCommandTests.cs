using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// The pipeline commands against the real server, in-process on SQLite: gate, deploy (with and without a command), evidence
/// upload, verify and rollback, as a pipeline's service account runs them.
/// </summary>
public sealed class PipelineCommandTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "fixtures", "evidence");
    private readonly Scenario _scenario = new(app);
    private readonly CliRunner _cli = new(app.Server.CreateHandler());
    private readonly string _folder = Directory.CreateTempSubdirectory("changetrail-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>An approved change of one service, inside its window, with the pipeline as implementer; nothing tested or deployed yet.</summary>
    private sealed record Release(Person Pipeline, string Service, string Change, string Commit)
    {
        public string[] Args(string command, string environment = "production") =>
            [command, "--change", Change, "--service", Service, "--env", environment, "--commit", Commit];
    }

    private async Task<Release> ApprovedAsync()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var approver = await _scenario.PersonAsync(Role.ChangeApprover);
        var pipeline = await _scenario.ServiceAccountAsync(
            [Scopes.Gate, Scopes.DeploymentsWrite, Scopes.EvidenceWrite, Scopes.ChangesRead, Scopes.ChangesWrite], Role.Implementer);
        var service = await _scenario.ServiceAsync();
        var commit = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var now = app.Time.GetUtcNow().UtcDateTime;
        var fields = _scenario.CompleteChange(service, implementer: pipeline.Email, commits: [new CommitDto(commit, "dev@example.test")]) with
        {
            PlannedStart = now.AddHours(-1),
            PlannedEnd = now.AddHours(4),
        };
        var change = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", fields);
        (await requestor.Client.PostAsync($"/api/v1/changes/{change.Id}/submit")).EnsureSuccessStatusCode();
        await approver.Client.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{change.Id}/approvals", new DecisionRequest(ApprovalDecision.Approve, null));
        return new Release(pipeline, service, change.Number, commit);
    }

    /// <summary>An approved change whose commit passed every suite and went to staging first: the gate allows production.</summary>
    private async Task<Release> ReadyAsync()
    {
        var release = await ApprovedAsync();
        foreach (var (kind, file) in new[] { ("unit", "junit-node-pass.xml"), ("integration", "results-pass.trx"), ("security", "eslint-clean.sarif") })
            (await UploadAsync(release, kind, Fixture(file))).ExitCode.ShouldBe(ExitCodes.Success);
        await RunOkAsync(release, [.. release.Args("deploy", "staging"), "--status", "succeeded"]);
        return release;
    }

    /// <summary>A change deployed to production, Implemented: ready for its verification.</summary>
    private async Task<Release> ImplementedAsync()
    {
        var release = await ReadyAsync();
        await RunOkAsync(release, [.. release.Args("deploy"), "--", "true"]);
        (await ChangeAsync(release)).State.ShouldBe(ChangeState.Implemented);
        return release;
    }

    private async Task RunOkAsync(Release release, params string[] args)
    {
        var result = await _cli.RunAsync(release.Pipeline.Token, args);
        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
    }

    /// <summary><c>evidence upload</c> of <paramref name="files"/> for the release's change and commit.</summary>
    private Task<CliResult> UploadAsync(Release release, string kind, params string[] files) =>
        _cli.RunAsync(release.Pipeline.Token, ["evidence", "upload", "--change", release.Change, "--commit", release.Commit, "--kind", kind, .. files]);

    private static string Fixture(string name) => Path.Combine(Fixtures, name);

    private static Task<ChangeResponse> ChangeAsync(Release release) =>
        release.Pipeline.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{release.Change}");

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The reason codes of the gate's answer to the release's production question, asked through the CLI.</summary>
    private async Task<string[]> DeniedForAsync(Release release)
    {
        // A minute passes between a pipeline's steps, so the change lists them in the order they happened.
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("gate"), "--json"]);
        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        using var answer = JsonDocument.Parse(result.Out);
        return answer.RootElement.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).Distinct().ToArray();
    }

    /// <summary>A file of the release's pipeline, under the name it keeps from run to run (a re-run replaces its report).</summary>
    private string AsRun(string fixture, string name)
    {
        var path = Path.Combine(_folder, name);
        File.Copy(Fixture(fixture), path, overwrite: true);
        return path;
    }

    [Fact]
    public async Task The_whole_story_runs_from_a_pipelines_point_of_view_through_the_cli()
    {
        var release = await ApprovedAsync();
        (await DeniedForAsync(release)).ShouldBe(["suite-missing", "not-deployed-to-nonprod-first"]);

        (await UploadAsync(release, "unit", AsRun("junit-node-pass.xml", "unit.xml"))).ExitCode.ShouldBe(ExitCodes.Success);
        (await UploadAsync(release, "integration", AsRun("results-pass.trx", "integration.trx"))).ExitCode.ShouldBe(ExitCodes.Success);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var stillMissing = await _cli.RunAsync(release.Pipeline.Token, release.Args("gate"));
        stillMissing.Out.ShouldContain($"  - suite-missing: No security test results were uploaded for commit {release.Commit}.");
        stillMissing.Out.ShouldNotContain("No unit test results");

        (await UploadAsync(release, "security", AsRun("eslint-errors.sarif", "eslint.sarif"))).ExitCode.ShouldBe(ExitCodes.Success);
        (await DeniedForAsync(release)).ShouldBe(["suite-failed", "not-deployed-to-nonprod-first"]);

        // The fix, scanned again: the clean report replaces the failing one under the same name.
        app.Time.Advance(TimeSpan.FromMinutes(1));
        (await UploadAsync(release, "security", AsRun("eslint-clean.sarif", "eslint.sarif"))).ExitCode.ShouldBe(ExitCodes.Success);
        (await DeniedForAsync(release)).ShouldBe(["not-deployed-to-nonprod-first"]);

        await RunOkAsync(release, [.. release.Args("deploy", "staging"), "--", "true"]);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await RunOkAsync(release, release.Args("gate"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await RunOkAsync(release, [.. release.Args("deploy"), "--", "true"]);
        (await ChangeAsync(release)).State.ShouldBe(ChangeState.Implemented);

        await RunOkAsync(release, "verify", "--change", release.Change, "--outcome", "success", "--notes", "Checkout smoke test passed.");
        var verified = await ChangeAsync(release);
        verified.State.ShouldBe(ChangeState.Verified);
        verified.GateDecisions.Select(d => d.Decision).ShouldBe(["allow", "allow", "allow", "deny", "deny", "deny", "deny"],
            "newest first: production (twice: the check and deploy's own), staging, and the four denials before");
        verified.Deployments.Select(d => (d.Environment, d.Status)).ShouldBe(
            [("production", DeploymentStatus.Succeeded), ("staging", DeploymentStatus.Succeeded)]);
    }

    [Fact]
    public async Task Gate_denies_an_untested_change_with_every_reason_and_exits_1()
    {
        var release = await ApprovedAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, release.Args("gate"));

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        var lines = result.Out.TrimEnd().Split('\n');
        lines[0].ShouldBe($"denied: {release.Change} {release.Service} → production @ {release.Commit[..7]}");
        lines.ShouldContain($"  - suite-missing: No unit test results were uploaded for commit {release.Commit}.");
        lines.ShouldContain($"  - suite-missing: No security test results were uploaded for commit {release.Commit}.");
        lines.ShouldContain(l => l.StartsWith("  - not-deployed-to-nonprod-first: ", StringComparison.Ordinal));
        lines.Length.ShouldBe(5, result.ToString());
        result.Error.ShouldBeEmpty();
    }

    [Fact]
    public async Task Gate_allows_a_tested_and_staged_change_and_exits_0_and_json_is_the_decision()
    {
        var release = await ReadyAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, release.Args("gate"));

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Out.ShouldMatch($@"^allowed: {release.Change} {release.Service} → production @ {release.Commit[..7]} \(gate [0-9a-f-]{{36}}\)\n$");

        var json = await _cli.RunAsync(release.Pipeline.Token, ["gate", "--change", release.Change, "--service", release.Service, "--environment", "production", "--commit", release.Commit, "--json"]);

        json.ExitCode.ShouldBe(ExitCodes.Success, json.ToString());
        var decision = JsonSerializer.Deserialize<GateResponse>(json.Out, ApiJson.Options)!;
        decision.Decision.ShouldBe("allow");
        decision.Production.ShouldBeTrue();
        decision.Change.ShouldBe(release.Change);
    }

    [Fact]
    public async Task A_pipeline_naming_a_standard_template_deploys_under_the_change_the_gate_opens()
    {
        var service = await _scenario.ServiceAsync();
        var author = await _scenario.PersonAsync(Role.Requestor);
        var template = await author.Client.PostJsonAsync<TemplateResponse>("/api/v1/templates", new TemplateRequest($"patching-{Scenario.Unique()}",
            "OS patching", null, [service], ["staging", "production"], "p", "s", "i", "r", "t", Scenario.LowRiskAnswers));
        (await author.Client.PostAsync($"/api/v1/templates/{template.Name}/submit")).EnsureSuccessStatusCode();
        await (await _scenario.PersonAsync(Role.ChangeApprover)).Client.PostJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, null));
        var pipeline = await _scenario.ServiceAccountAsync([Scopes.Gate, Scopes.DeploymentsWrite, Scopes.ChangesRead], Role.Implementer);
        var commit = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

        var asked = await _cli.RunAsync(pipeline.Token,
            ["gate", "--template", template.Name, "--service", service, "--env", "staging", "--commit", commit, "--json"]);

        asked.ExitCode.ShouldBe(ExitCodes.Success, asked.ToString());
        var change = JsonSerializer.Deserialize<GateResponse>(asked.Out, ApiJson.Options)!.Change.ShouldNotBeNull();
        var release = new Release(pipeline, service, change, commit);
        await RunOkAsync(release, [.. release.Args("deploy", "staging"), "--", "true"]);
        var standard = await ChangeAsync(release);
        standard.Type.ShouldBe(ChangeType.Standard);
        standard.Template.ShouldBe(template.Name);
    }

    [Fact]
    public async Task An_allow_a_cited_exception_made_possible_says_so_in_the_pipeline_log()
    {
        var requestor = await _scenario.PersonAsync(Role.Requestor);
        var exception = await requestor.Client.PostJsonAsync<PolicyExceptionResponse>("/api/v1/exceptions",
            new PolicyExceptionRequest("Hotfix without the flaky suites", "automated-tests", "d", "r", "c", app.Time.GetUtcNow().UtcDateTime.AddDays(3)));
        foreach (var role in new[] { Role.HeadOfEngineering, Role.SecurityOfficer })
            await (await _scenario.PersonAsync(role)).Client.PostJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Number}/approvals",
                new DecisionRequest(ApprovalDecision.Approve, null));
        var pipeline = await _scenario.ServiceAccountAsync([Scopes.Gate, Scopes.DeploymentsWrite, Scopes.ChangesRead], Role.Implementer);
        var service = await _scenario.ServiceAsync();
        var commit = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var now = app.Time.GetUtcNow().UtcDateTime;
        var change = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", _scenario.CompleteChange(service, implementer: pipeline.Email,
            commits: [new CommitDto(commit, "dev@example.test")]) with
        { PlannedStart = now.AddHours(-1), PlannedEnd = now.AddHours(4), Exceptions = [exception.Number] });
        (await requestor.Client.PostAsync($"/api/v1/changes/{change.Id}/submit")).EnsureSuccessStatusCode();
        await (await _scenario.PersonAsync(Role.ChangeApprover)).Client.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{change.Id}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, null));
        var release = new Release(pipeline, service, change.Number, commit);
        await RunOkAsync(release, [.. release.Args("deploy", "staging"), "--status", "succeeded"]);

        var result = await _cli.RunAsync(pipeline.Token, release.Args("gate"));

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith($"allowed: {release.Change}");
        lines.Count(l => l.StartsWith($"  ~ suite-missing (waived by {exception.Number}): ", StringComparison.Ordinal)).ShouldBe(3, result.ToString());
    }

    [Fact]
    public async Task Gate_json_of_a_denial_exits_1()
    {
        var release = await ApprovedAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("gate"), "--json"]);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        var decision = JsonSerializer.Deserialize<GateResponse>(result.Out, ApiJson.Options)!;
        decision.Decision.ShouldBe("deny");
        decision.Reasons.Select(r => r.Code).ShouldContain("suite-missing");
    }

    [Fact]
    public async Task A_token_without_a_gate_scope_is_refused_with_exit_1()
    {
        var release = await ApprovedAsync();
        var reader = await _scenario.ServiceAccountAsync([Scopes.ChangesRead], Role.Implementer);

        var result = await _cli.RunAsync(reader.Token, release.Args("gate"));

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldStartWith("error: ");
        result.Out.ShouldBeEmpty();
    }

    [Fact]
    public async Task Deploy_runs_the_command_and_records_started_then_failed_with_its_exit_code()
    {
        var release = await ReadyAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--", "sh", "-c", "exit 3"]);

        result.ExitCode.ShouldBe(3, result.ToString());
        var gateId = Regex.Match(result.Out, @"^allowed: .* \(gate ([0-9a-f-]{36})\)$", RegexOptions.Multiline).Groups[1].Value;
        gateId.ShouldNotBeEmpty(result.ToString());
        result.Out.ShouldContain($"deployment started: {release.Change} {release.Service} → production @ {release.Commit[..7]} (deployment ");
        result.Out.ShouldContain($"deployment failed (exit code 3): {release.Change} {release.Service} → production @ {release.Commit[..7]} (deployment ");
        var deployment = (await ChangeAsync(release)).Deployments.Single(d => d.Production);
        deployment.Status.ShouldBe(DeploymentStatus.Failed);
        deployment.ExitCode.ShouldBe(3);
        deployment.GateId.ShouldBe(Guid.Parse(gateId));
        deployment.FinishedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task Deploy_of_a_command_that_succeeds_records_started_then_succeeded_and_exits_0()
    {
        var release = await ReadyAsync();
        var marker = Path.Combine(_folder, "deployed");

        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--pipeline-url", "https://ci.example.test/run/7", "--",
            "touch", marker]);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        File.Exists(marker).ShouldBeTrue();
        result.Out.ShouldContain("deployment started: ");
        result.Out.ShouldContain("deployment succeeded: ");
        var change = await ChangeAsync(release);
        change.State.ShouldBe(ChangeState.Implemented);
        var deployment = change.Deployments.Single(d => d.Production);
        deployment.Status.ShouldBe(DeploymentStatus.Succeeded);
        deployment.ExitCode.ShouldBe(0);
        deployment.PipelineUrl.ShouldBe("https://ci.example.test/run/7");
    }

    [Fact]
    public async Task A_denied_deploy_never_runs_the_command_and_records_nothing()
    {
        var release = await ApprovedAsync();
        var marker = Path.Combine(_folder, "marker");

        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--", "touch", marker]);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        File.Exists(marker).ShouldBeFalse("a denied deployment must not run");
        result.Out.ShouldStartWith($"denied: {release.Change} ");
        result.Out.ShouldContain("  - suite-missing: ");
        result.Error.ShouldBe($"The deploy command was not run: touch {marker}\n");
        var change = await ChangeAsync(release);
        change.Deployments.ShouldBeEmpty();
        change.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task A_command_that_cannot_be_found_is_recorded_as_failed_with_127()
    {
        var release = await ReadyAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--", Path.Combine(_folder, "no-such-deploy.sh")]);

        result.ExitCode.ShouldBe(127, result.ToString());
        result.Error.ShouldContain($"error: cannot run {Path.Combine(_folder, "no-such-deploy.sh")}: ");
        var deployment = (await ChangeAsync(release)).Deployments.Single(d => d.Production);
        deployment.Status.ShouldBe(DeploymentStatus.Failed);
        deployment.ExitCode.ShouldBe(127);
    }

    [Fact]
    public async Task Deploy_status_started_to_production_without_a_gate_decision_is_refused_with_exit_1()
    {
        var release = await ApprovedAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--status", "started"]);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldContain("[gate-decision-required]");
    }

    [Fact]
    public async Task Deploy_status_steps_record_a_deployment_and_json_prints_it()
    {
        var release = await ReadyAsync();
        await RunOkAsync(release, release.Args("gate"));

        var started = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--status", "started", "--json"]);
        var failed = await _cli.RunAsync(release.Pipeline.Token, [.. release.Args("deploy"), "--status", "failed", "--exit-code", "9"]);

        started.ExitCode.ShouldBe(ExitCodes.Success, started.ToString());
        JsonSerializer.Deserialize<DeploymentDto>(started.Out, ApiJson.Options)!.Status.ShouldBe(DeploymentStatus.Started);
        failed.ExitCode.ShouldBe(ExitCodes.Success, failed.ToString());
        failed.Out.ShouldStartWith($"deployment failed (exit code 9): {release.Change} ");
    }

    [Fact]
    public async Task Evidence_upload_prints_a_line_per_file_and_a_failing_suite_is_still_an_upload()
    {
        var release = await ApprovedAsync();

        var result = await UploadAsync(release, "unit", Fixture("junit-pytest.xml"), Fixture("results-pass.trx"));

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        var lines = result.Out.TrimEnd().Split('\n');
        lines[0].ShouldMatch(@"^unit junit-pytest\.xml: junit 3 passed, 2 failed, 2 skipped \(sha256 [0-9a-f]{64}\) — fails$");
        lines[1].ShouldMatch(@"^unit results-pass\.trx: trx 3 passed, 0 failed, 0 skipped \(sha256 [0-9a-f]{64}\) — passes$");
        lines[2].ShouldStartWith("note: 1 file reports failures or findings; uploaded and recorded all the same");
        (await ChangeAsync(release)).Evidence.Select(e => e.FileName).ShouldBe(["junit-pytest.xml", "results-pass.trx"], ignoreOrder: true);
    }

    [Fact]
    public async Task Evidence_upload_of_sarif_counts_findings_and_json_prints_an_array()
    {
        var release = await ApprovedAsync();

        var text = await _cli.RunAsync(release.Pipeline.Token, "evidence", "upload", "--commit", release.Commit, "--kind", "security",
            Fixture("semgrep.sarif"));
        var json = await _cli.RunAsync(release.Pipeline.Token, "evidence", "upload", "--commit", release.Commit, "--kind", "security", "--json",
            Fixture("eslint-clean.sarif"), Fixture("eslint-errors.sarif"));

        text.ExitCode.ShouldBe(ExitCodes.Success, text.ToString());
        text.Out.ShouldStartWith("security semgrep.sarif: sarif 1 error, 2 warnings, 1 note (sha256 ");
        json.ExitCode.ShouldBe(ExitCodes.Success, json.ToString());
        var uploaded = JsonSerializer.Deserialize<List<EvidenceResponse>>(json.Out, ApiJson.Options)!;
        uploaded.Select(e => e.FileName).ShouldBe(["eslint-clean.sarif", "eslint-errors.sarif"]);
        uploaded[1].Findings.Error.ShouldBe(1);
    }

    [Fact]
    public async Task Evidence_upload_of_a_bad_file_exits_1_naming_it_and_still_uploads_the_others()
    {
        var release = await ApprovedAsync();

        var result = await UploadAsync(release, "unit", Fixture("bad/html.xml"), Fixture("junit-node-pass.xml"));

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldStartWith("error: html.xml: ");
        result.Error.ShouldContain("[evidence-format-unknown]");
        result.Out.ShouldStartWith("unit junit-node-pass.xml: junit 3 passed, 0 failed, 0 skipped");
        (await ChangeAsync(release)).Evidence.Select(e => e.FileName).ShouldBe(["junit-node-pass.xml"]);
    }

    [Fact]
    public async Task Verify_with_passing_smoke_evidence_and_no_outcome_verifies_the_change()
    {
        var release = await ImplementedAsync();
        var smoke = Write("smoke.xml", """<testsuite name="smoke" tests="2"><testcase name="home"/><testcase name="login"/></testsuite>""");

        var result = await _cli.RunAsync(release.Pipeline.Token, "verify", "--change", release.Change, "--evidence", smoke, "--notes", "All green");

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Out.ShouldMatch($@"^smoke smoke\.xml: junit 2 passed, 0 failed, 0 skipped \(sha256 [0-9a-f]{{64}}\) — passes\nverified: {release.Change} is Verified\.\n$");
        var change = await ChangeAsync(release);
        change.State.ShouldBe(ChangeState.Verified);
        change.VerificationNotes.ShouldBe("All green");
        var evidence = change.Evidence.Single(e => e.Kind.Equals("smoke", StringComparison.OrdinalIgnoreCase));
        change.VerificationEvidence.ShouldBe(evidence.Id);
        evidence.Commit.ShouldBe(release.Commit, "by default the change's first commit");
    }

    [Fact]
    public async Task Verify_failed_prints_the_rollback_plan_exits_1_and_rollback_records_it()
    {
        var release = await ImplementedAsync();
        var smoke = Write("smoke.xml", """<testsuite name="smoke" tests="1" failures="1"><testcase name="home"><failure message="502"/></testcase></testsuite>""");

        var result = await _cli.RunAsync(release.Pipeline.Token, "verify", "--change", release.Change, "--evidence", smoke);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        var lines = result.Out.TrimEnd().Split('\n');
        lines[0].ShouldStartWith("smoke smoke.xml: junit 0 passed, 1 failed, 0 skipped");
        lines[1].ShouldBe($"verification failed: {release.Change} is Failed.");
        lines[2].ShouldBe("rollback plan: Redeploy the previous image tag.");
        lines[3].ShouldBe($"once rolled back, record it: changetrail rollback --change {release.Change} --notes \"what was done\"");

        var rollback = await _cli.RunAsync(release.Pipeline.Token, "rollback", "--change", release.Change, "--notes", "Redeployed v41");

        rollback.ExitCode.ShouldBe(ExitCodes.Success, rollback.ToString());
        rollback.Out.ShouldBe($"rolled back: {release.Change} is RolledBack.\n");
        (await ChangeAsync(release)).State.ShouldBe(ChangeState.RolledBack);
    }

    [Fact]
    public async Task Verify_with_an_outcome_records_it()
    {
        var release = await ImplementedAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, "verify", "--change", release.Change, "--outcome", "failed", "--notes", "Errors up");

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Out.ShouldContain($"verification failed: {release.Change} is Failed.");
        (await ChangeAsync(release)).State.ShouldBe(ChangeState.Failed);
    }

    [Fact]
    public async Task Verify_before_the_change_is_implemented_is_refused_with_exit_1()
    {
        var release = await ApprovedAsync();

        var result = await _cli.RunAsync(release.Pipeline.Token, "verify", "--change", release.Change, "--outcome", "success");

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldContain("[invalid-transition]");
        result.Out.ShouldBeEmpty();
    }
}
