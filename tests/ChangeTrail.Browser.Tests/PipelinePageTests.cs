using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Testing;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>What a pipeline reported about a change, as people see it: evidence, gate decisions, deployments.</summary>
public sealed class PipelinePageTests(SetUpServer fixture) : BrowserTest(fixture), IClassFixture<SetUpServer>
{
    /// <summary>node --test's JUnit report, cut down: 3 passed, 1 failed, 2 skipped.</summary>
    private const string JUnit = """
        <?xml version="1.0" encoding="utf-8"?>
        <testsuites>
          <testsuite name="arithmetic" tests="6" failures="1" errors="0" skipped="2">
            <testcase name="adds" classname="test"/>
            <testcase name="multiplies" classname="test"/>
            <testcase name="subtracts" classname="test"/>
            <testcase name="divides" classname="test"><failure message="expected 2, got 3" type="assert">AssertionError</failure></testcase>
            <testcase name="rounds" classname="test"><skipped/></testcase>
            <testcase name="formats" classname="test"><skipped type="todo"/></testcase>
          </testsuite>
        </testsuites>
        """;

    [Fact]
    public async Task The_change_page_shows_evidence_gate_decisions_and_deployments_and_serves_the_evidence_file()
    {
        var requestor = await AccountAsync(Role.Requestor);
        var approver = await AccountAsync(Role.ChangeApprover);
        var scenario = new Scenario(App);
        var service = await scenario.ServiceAsync();
        var fields = scenario.CompleteChange(service);
        var commit = fields.Commits![0].Sha;
        var draft = await requestor.Api.PostJsonAsync<ChangeResponse>("/api/v1/changes", fields);
        var number = draft.Number;
        await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/submit");
        await approver.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/approvals", new DecisionRequest(ApprovalDecision.Approve, "ok"));
        var pipeline = await scenario.ServiceAccountAsync(
            [Scopes.Gate, Scopes.DeploymentsWrite, Scopes.EvidenceWrite, Scopes.ChangesRead, Scopes.ChangesWrite], Role.Implementer);

        // Evidence: a JUnit file with a failure.
        var bytes = Encoding.UTF8.GetBytes(JUnit);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var fileName = $"junit-{Scenario.Unique()}.xml";
        var uploaded = await UploadAsync(pipeline, number, commit, "unit", fileName);
        (uploaded.Passed, uploaded.Failed, uploaded.Skipped).ShouldBe((3, 1, 2));
        uploaded.Sha256.ShouldBe(sha256);

        // The gate, asked for production before staging: denied, with its reasons.
        var gate = await pipeline.Client.PostJsonAsync<GateResponse>("/api/v1/gate",
            new GateRequest(number, null, service, "production", commit, null));
        gate.Decision.ShouldBe("deny");
        gate.Reasons.Select(r => r.Code).ShouldContain("not-deployed-to-nonprod-first");

        // Staging: started, then succeeded.
        const string pipelineUrl = "https://ci.example.test/runs/42";
        await pipeline.Client.PostJsonAsync<DeploymentDto>("/api/v1/deployments",
            new DeploymentRequest(number, service, "staging", commit, null, DeploymentStatus.Started, pipelineUrl, null, null));
        var deployed = await pipeline.Client.PostJsonAsync<DeploymentDto>("/api/v1/deployments",
            new DeploymentRequest(number, service, "staging", commit, null, DeploymentStatus.Succeeded, pipelineUrl, null, 0));
        deployed.Status.ShouldBe(DeploymentStatus.Succeeded);

        await SignInAsync(Page, requestor);
        await Page.GotoAsync($"/changes/{number}");

        var evidence = Page.GetByRole(AriaRole.Region, new() { Name = "Evidence", Exact = true });
        var row = evidence.GetByRole(AriaRole.Row).Filter(new() { HasText = fileName });
        await Expect(row).ToContainTextAsync("3 passed, 1 failed, 2 skipped");
        await Expect(row).ToContainTextAsync("unit");
        await Expect(row).ToContainTextAsync("junit");
        await Expect(row).ToContainTextAsync("Fails");
        await Expect(row).ToContainTextAsync(commit[..12]);
        await Expect(row).ToContainTextAsync(sha256[..12]);
        await Expect(row.Locator($"code[title='{sha256}']")).ToHaveCountAsync(1);

        var decisions = Page.GetByRole(AriaRole.Region, new() { Name = "Gate decisions", Exact = true });
        var denied = decisions.GetByRole(AriaRole.Row).Filter(new() { HasText = "Denied" });
        await Expect(denied).ToHaveCountAsync(1);
        foreach (var reason in gate.Reasons)
            await Expect(denied).ToContainTextAsync(reason.Code);
        await Expect(denied).ToContainTextAsync("production");
        await Expect(denied).ToContainTextAsync(pipeline.Email);
        await Screenshots.SaveAsync(Page, "change-pipeline");

        var deployments = Page.GetByRole(AriaRole.Region, new() { Name = "Deployments", Exact = true });
        var staging = deployments.GetByRole(AriaRole.Table, new() { Name = "staging" }).GetByRole(AriaRole.Row).Filter(new() { HasText = service });
        await Expect(staging).ToContainTextAsync("Succeeded");
        await Expect(staging).ToContainTextAsync(commit[..12]);
        await Expect(staging).ToContainTextAsync(pipeline.Email);
        var run = staging.GetByRole(AriaRole.Link, new() { Name = "Pipeline run" });
        await Expect(run).ToHaveAttributeAsync("href", pipelineUrl);
        await Expect(run).ToHaveAttributeAsync("rel", "noopener noreferrer");

        // The link downloads the file as uploaded, through the session (the API itself takes tokens only).
        var download = await Page.RunAndWaitForDownloadAsync(() => row.GetByRole(AriaRole.Link, new() { Name = fileName }).ClickAsync());
        download.SuggestedFilename.ShouldBe(fileName);
        var downloaded = await File.ReadAllBytesAsync((await download.PathAsync())!, TestContext.Current.CancellationToken);
        Convert.ToHexStringLower(SHA256.HashData(downloaded)).ShouldBe(sha256);
        downloaded.ShouldBe(bytes);
        var anonymous = await App.Anonymous().GetAsync($"/evidence/{uploaded.Id}/file");
        (await anonymous.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldNotContain("expected 2, got 3", customMessage: "no file without a session");

        // The deployments view, filtered to the service.
        await NavLink(Page, "Deployments").ClickAsync();
        await Expect(Heading(Page, "Deployments")).ToBeVisibleAsync();
        await Page.GotoAsync($"/deployments?service={service}");
        var listed = Page.GetByRole(AriaRole.Row).Filter(new() { HasText = service });
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed).ToContainTextAsync("staging");
        await Expect(listed).ToContainTextAsync("Succeeded");
        await Expect(listed).ToContainTextAsync(commit[..12]);
        await Expect(listed).ToContainTextAsync(draft.Title);
        await Expect(listed).ToContainTextAsync(pipeline.Email);
        await Expect(listed.GetByRole(AriaRole.Link, new() { Name = number, Exact = true })).ToHaveAttributeAsync("href", $"/changes/{number}");
        await Screenshots.SaveAsync(Page, "deployments");
    }

    [Fact]
    public async Task A_failed_verification_shows_the_rollback_plan_and_the_evidence_it_cites()
    {
        var requestor = await AccountAsync(Role.Requestor, Role.Implementer);
        var approver = await AccountAsync(Role.ChangeApprover);
        var change = await SubmittedChangeAsync(requestor);
        var number = change.Number;
        await approver.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/approvals", new DecisionRequest(ApprovalDecision.Approve, "ok"));
        await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/start");
        await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/complete");
        var pipeline = await new Scenario(App).ServiceAccountAsync([Scopes.EvidenceWrite, Scopes.ChangesRead], Role.Implementer);
        var fileName = $"smoke-{Scenario.Unique()}.xml";
        var smoke = await UploadAsync(pipeline, number, change.Commits[0].Sha, "smoke", fileName);
        var failed = await requestor.Api.PostJsonAsync<ChangeResponse>($"/api/v1/changes/{number}/verify",
            new VerifyRequest(VerificationOutcome.Failed, "Error rate doubled after the deploy.", smoke.Id));
        failed.State.ShouldBe(ChangeState.Failed);

        await SignInAsync(Page, requestor);
        await Page.GotoAsync($"/changes/{number}");
        await Expect(Page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Roll back:" })).ToContainTextAsync(change.RollbackPlan!);
        await Expect(Button(Page, "Record rollback")).ToBeVisibleAsync();
        var verification = Page.GetByRole(AriaRole.Region, new() { Name = "Verification", Exact = true });
        await Expect(verification).ToContainTextAsync("Failed");
        await Expect(verification).ToContainTextAsync("Error rate doubled after the deploy.");
        await Expect(verification.GetByRole(AriaRole.Link, new() { Name = fileName })).ToHaveAttributeAsync("href", $"/evidence/{smoke.Id}/file");
        await Screenshots.SaveAsync(Page, "change-failed-verification");
    }

    /// <summary>The pipeline uploads <see cref="JUnit"/> for the change and commit, as a file of this name.</summary>
    private static async Task<EvidenceResponse> UploadAsync(Person pipeline, string number, string commit, string kind, string fileName)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(number), "change" },
            { new StringContent(commit), "commit" },
            { new StringContent(kind), "kind" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(JUnit));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        form.Add(file, "file", fileName);
        return await ApiClient.ReadAsync<EvidenceResponse>(await pipeline.Client.Http.PostAsync("/api/v1/evidence", form, TestContext.Current.CancellationToken));
    }
}
