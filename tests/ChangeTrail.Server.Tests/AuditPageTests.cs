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
        await app.AddPersonAsync(email, "Audrey Auditor", [Role.Auditor], "auditor password 1");
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
    public async Task The_audit_page_shows_the_signed_checkpoint_and_a_change_page_proves_its_entries()
    {
        var s = new Scenario(app);
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(s);
        var checkpoint = await app.SignCheckpointAsync();
        await approver.ApproveAsync(change.Number);

        var admin = await app.SignInAsync(WebSession.AdminEmail, WebSession.AdminPassword);
        var audit = await admin.GetStringAsync("/audit", Ct);
        audit.ShouldContain("Latest signed checkpoint");
        audit.ShouldContain(WebUtility.HtmlEncode(checkpoint.Split('\n')[0]));

        var page = await admin.GetStringAsync($"/changes/{change.Number}", Ct);
        page.ShouldContain("Proof verifies", customMessage: "entries inside the checkpoint are proved on the page");
        page.ShouldContain("After the checkpoint", customMessage: "the approval came after the checkpoint");
        page.ShouldNotContain("Proof does not verify");
    }

    [Fact]
    public async Task A_requestor_may_not_open_the_audit_page()
    {
        var email = $"req-{Scenario.Unique()}@example.test";
        await app.AddPersonAsync(email, "Rory", [Role.Requestor], "requestor password 1");
        var browser = await app.SignInAsync(email, "requestor password 1");

        var response = await browser.GetAsync("/audit", Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/denied");
    }
}
