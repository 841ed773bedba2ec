using System.Net;
using System.Net.Http.Headers;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>A pipeline's side of the API in tests: approved changes, a pipeline account, evidence, gate questions, deployments.</summary>
public static class PipelineFlow
{
    public const string Commit = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0";

    public static readonly string[] PipelineScopes =
        [Scopes.Gate, Scopes.DeploymentsWrite, Scopes.EvidenceWrite, Scopes.ChangesRead, Scopes.ChangesWrite];

    /// <summary>The evidence fixtures copied beside the tests.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "evidence", name);

    /// <summary>A pipeline service account holding every pipeline scope and the Implementer role (or <paramref name="scopes"/>).</summary>
    public static Task<Person> PipelineAsync(this Scenario s, IReadOnlyList<string>? scopes = null) =>
        s.ServiceAccountAsync(scopes ?? PipelineScopes, Role.Implementer);

    /// <summary>A requestor creates and submits a change of <paramref name="fields"/>; an approver approves it (unless told not to).</summary>
    public static async Task<(Person Requestor, Person Approver, ChangeResponse Change)> ApprovedChangeAsync(this Scenario s, ChangeFields fields,
        bool approve = true)
    {
        var requestor = await s.PersonAsync(Role.Requestor, Role.Implementer);
        var approver = await s.PersonAsync(Role.ChangeApprover);
        var draft = await requestor.CreateAsync(fields);
        var change = await requestor.ActAsync(draft.Number, "submit");
        if (approve)
            change = await approver.ApproveAsync(draft.Number);
        return (requestor, approver, change);
    }

    public static GateRequest Question(string change, string service, string environment, string commit = Commit) =>
        new(change, null, service, environment, commit, null);

    public static Task<HttpResponseMessage> TryGateAsync(this Person who, GateRequest question) => who.Client.PostAsync("/api/v1/gate", question);

    public static async Task<GateResponse> GateAsync(this Person who, string change, string service, string environment, string commit = Commit) =>
        await ApiClient.ReadAsync<GateResponse>(await who.TryGateAsync(Question(change, service, environment, commit)));

    /// <summary>The codes of the answer's reasons, in order.</summary>
    public static string[] Codes(this GateResponse answer) => [.. answer.Reasons.Select(r => r.Code)];

    public static void ShouldDeny(this GateResponse answer, params string[] codes)
    {
        answer.Decision.ShouldBe("deny", string.Join(", ", answer.Reasons.Select(r => $"{r.Code}: {r.Message}")));
        answer.Codes().ShouldBe(codes);
    }

    public static void ShouldAllow(this GateResponse answer) =>
        answer.Decision.ShouldBe("allow", string.Join(", ", answer.Reasons.Select(r => $"{r.Code}: {r.Message}")));

    public static MultipartFormDataContent EvidenceForm(byte[]? file, string fileName, string? change, string? commit, string? kind,
        string? environment = null)
    {
        var form = new MultipartFormDataContent();
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", fileName);
        }
        if (change is not null)
            form.Add(new StringContent(change), "change");
        if (commit is not null)
            form.Add(new StringContent(commit), "commit");
        if (kind is not null)
            form.Add(new StringContent(kind), "kind");
        if (environment is not null)
            form.Add(new StringContent(environment), "environment");
        return form;
    }

    public static Task<HttpResponseMessage> TryUploadAsync(this Person who, string fixture, string? change, string? kind, string? commit = Commit,
        string? fileName = null) =>
        who.Client.Http.PostAsync("/api/v1/evidence",
            EvidenceForm(File.ReadAllBytes(Fixture(fixture)), fileName ?? Path.GetFileName(fixture), change, commit, kind),
            TestContext.Current.CancellationToken);

    public static async Task<EvidenceResponse> UploadAsync(this Person who, string fixture, string? change, string kind, string commit = Commit,
        string? fileName = null)
    {
        var response = await who.TryUploadAsync(fixture, change, kind, commit, fileName);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ApiClient.ReadAsync<EvidenceResponse>(response);
    }

    /// <summary>Passing unit, integration and security evidence for the commit under the change.</summary>
    public static async Task UploadPassingSuitesAsync(this Person who, string change, string commit = Commit)
    {
        await who.UploadAsync("junit-node-pass.xml", change, "unit", commit);
        await who.UploadAsync("results-pass.trx", change, "integration", commit);
        await who.UploadAsync("eslint-clean.sarif", change, "security", commit);
    }

    public static Task<HttpResponseMessage> TryDeployAsync(this Person who, string change, string service, string environment,
        DeploymentStatus status, string commit = Commit, Guid? gateId = null) =>
        who.Client.PostAsync("/api/v1/deployments", new DeploymentRequest(change, service, environment, commit, null, status, null, gateId, null));

    public static async Task<DeploymentDto> DeployAsync(this Person who, string change, string service, string environment,
        DeploymentStatus status, string commit = Commit, Guid? gateId = null) =>
        await ApiClient.ReadAsync<DeploymentDto>(await who.TryDeployAsync(change, service, environment, status, commit, gateId));

    /// <summary>Staging: asked (allowed), started and succeeded.</summary>
    public static async Task DeployToStagingAsync(this Person who, string change, string service, string commit = Commit)
    {
        (await who.GateAsync(change, service, "staging", commit)).ShouldAllow();
        await who.DeployAsync(change, service, "staging", DeploymentStatus.Started, commit);
        await who.DeployAsync(change, service, "staging", DeploymentStatus.Succeeded, commit);
    }

    /// <summary>Moves the fake clock to <paramref name="into"/> after the change's planned start.</summary>
    public static void IntoWindow(this ChangeTrailApp app, ChangeResponse change, TimeSpan? into = null) =>
        app.Time.SetUtcNow(new DateTimeOffset(DateTime.SpecifyKind(change.PlannedStart!.Value, DateTimeKind.Utc)) + (into ?? TimeSpan.FromMinutes(10)));
}
