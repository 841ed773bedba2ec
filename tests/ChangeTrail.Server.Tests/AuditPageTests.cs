using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>The audit page: auditors and admins search the ledger by actor, action, subject and time; nobody else sees it.</summary>
public sealed class AuditPageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_auditor_finds_a_changes_entries_by_its_number_and_by_action()
    {
        var s = new Scenario(app);
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(s);
        await approver.ApproveAsync(change.Number);
        var email = $"auditor-{Scenario.Unique()}@example.test";
        await s.Admin.PostJsonAsync<CreatedResponse>("/api/v1/users", new CreateUserRequest(email, "Audrey Auditor", [Role.Auditor], "auditor password 1"));
        var auditor = await app.SignInAsync(email, "auditor password 1");

        var bySubject = await auditor.GetStringAsync($"/audit?subject={change.Number}", Ct);
        bySubject.ShouldContain("<code>change.created</code>");
        bySubject.ShouldContain("<code>change.submitted</code>");
        bySubject.ShouldContain("<code>change.approved</code>");
        bySubject.ShouldContain($"href=\"/changes/{change.Number}\"");

        var byAction = await auditor.GetStringAsync($"/audit?subject={change.Number}&action=change.approved", Ct);
        byAction.ShouldContain("<code>change.approved</code>");
        byAction.ShouldNotContain("<code>change.submitted</code>");
        var byActor = await auditor.GetStringAsync($"/audit?subject={change.Number}&actor={Uri.EscapeDataString(requestor.Email)}", Ct);
        byActor.ShouldContain("<code>change.submitted</code>");
        byActor.ShouldNotContain("<code>change.approved</code>");
    }

    [Fact]
    public async Task A_requestor_may_not_open_the_audit_page()
    {
        var email = $"req-{Scenario.Unique()}@example.test";
        await app.AsAdmin().PostJsonAsync<CreatedResponse>("/api/v1/users", new CreateUserRequest(email, "Rory", [Role.Requestor], "requestor password 1"));
        var browser = await app.SignInAsync(email, "requestor password 1");

        var response = await browser.GetAsync("/audit", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/denied");
    }
}
