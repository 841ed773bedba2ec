using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>Short-hands for driving a change request through the API in tests.</summary>
public static class ChangeFlow
{
    public static async Task<ChangeResponse> CreateAsync(this Person requestor, ChangeFields fields) =>
        await ApiClient.ReadAsync<ChangeResponse>(await requestor.Client.PostAsync("/api/v1/changes", fields));

    public static async Task<ChangeResponse> ActAsync(this Person who, string number, string action, object? body = null) =>
        await ApiClient.ReadAsync<ChangeResponse>(await who.Client.PostAsync($"/api/v1/changes/{number}/{action}", body));

    public static Task<HttpResponseMessage> TryAsync(this Person who, string number, string action, object? body = null) =>
        who.Client.PostAsync($"/api/v1/changes/{number}/{action}", body);

    public static Task<ChangeResponse> ApproveAsync(this Person who, string number, string comment = "Looks good") =>
        who.ActAsync(number, "approvals", new DecisionRequest(ApprovalDecision.Approve, comment));

    public static Task<HttpResponseMessage> TryApproveAsync(this Person who, string number) =>
        who.TryAsync(number, "approvals", new DecisionRequest(ApprovalDecision.Approve, "ok"));

    public static async Task<ChangeResponse> GetAsync(this Person who, string number) =>
        await who.Client.GetJsonAsync<ChangeResponse>($"/api/v1/changes/{number}");

    public static async Task<Problem> ShouldBeProblemAsync(this Task<HttpResponseMessage> response, HttpStatusCode status, string type)
    {
        var problem = await ApiClient.ProblemAsync(await response, status);
        problem.Type.ShouldBe($"/problems/{type}");
        return problem;
    }

    /// <summary>A requestor, an approver and an implementer, and a submitted low-risk change on an ordinary service.</summary>
    public static async Task<(Person Requestor, Person Approver, ChangeResponse Change)> SubmittedChangeAsync(Scenario s,
        bool regulated = false, bool highRisk = false)
    {
        var requestor = await s.PersonAsync(Role.Requestor, Role.Implementer);
        var approver = await s.PersonAsync(Role.ChangeApprover);
        var service = await s.ServiceAsync(regulatedData: regulated);
        var draft = await requestor.CreateAsync(s.CompleteChange(service, highRisk));
        var submitted = await requestor.ActAsync(draft.Number, "submit");
        return (requestor, approver, submitted);
    }
}
