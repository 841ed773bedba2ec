using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The policy document through HTTP (policy 6): versions proposed and put in force by a Head of Engineering and a Security
/// Officer, the text rendered safely, reviews recorded, and the next review due on the server's clock with its reminders.
/// The class's tests share one database and so one policy: each reads what it changed relative to what it found.
/// </summary>
public abstract class PolicyDocumentTests(ChangeTrailApp app) : ProviderTests(app)
{
    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private async Task<PolicyResponse> PolicyAsync() => await S.Admin.GetJsonAsync<PolicyResponse>("/api/v1/policy");

    private async Task<PolicyVersionResponse> ProposeAsync(string text, string summary = "Clarify 3.4.") =>
        await ApiClient.ReadAsync<PolicyVersionResponse>(await S.Admin.PostAsync("/api/v1/policy/versions", new ProposePolicyVersionRequest(text, summary)));

    private static async Task<PolicyVersionResponse> DecideAsync(Person who, string version, string decision = "approve") =>
        await ApiClient.ReadAsync<PolicyVersionResponse>(
            await who.Client.PostAsync($"/api/v1/policy/versions/{version}/approvals", new { decision, comment = "Read in full." }));

    private async Task<PolicyVersionResponse> InForceAsync(string text)
    {
        var proposed = await ProposeAsync(text);
        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), proposed.Number);
        return await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), proposed.Number);
    }

    [Fact]
    public async Task A_version_comes_into_force_with_both_sign_offs_and_supersedes_the_one_before()
    {
        var before = (await PolicyAsync()).InForce;
        var proposed = await ProposeAsync("# Change Management Policy\n\n## 3.4 Testing\n\nEvery change is tested in **staging** first.");
        proposed.State.ShouldBe(PolicyVersionState.Proposed);
        proposed.Html.ShouldContain("<strong>staging</strong>");

        var both = await S.PersonAsync(Role.HeadOfEngineering, Role.SecurityOfficer);
        (await DecideAsync(both, proposed.Number)).State.ShouldBe(PolicyVersionState.Proposed);
        await both.Client.PostAsync($"/api/v1/policy/versions/{proposed.Number}/approvals", new DecisionRequest(ApprovalDecision.Approve, null))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "already-approved");
        await (await S.PersonAsync(Role.ChangeApprover)).Client.PostAsync($"/api/v1/policy/versions/{proposed.Number}/approvals",
            new DecisionRequest(ApprovalDecision.Approve, null)).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        var approved = await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), proposed.Number);

        approved.State.ShouldBe(PolicyVersionState.InForce);
        var policy = await PolicyAsync();
        policy.InForce!.Id.ShouldBe(proposed.Id);
        policy.NextReviewDue!.Value.ShouldBe(approved.DecidedAt!.Value.AddMonths(12));
        policy.ReviewStatus.ShouldBe(PolicyReviewStatus.Current);
        if (before is not null)
            policy.Versions.Single(v => v.Id == before.Id).State.ShouldBe(PolicyVersionState.Superseded);
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Where(e => e.SubjectId == proposed.Id.ToString()).Select(e => e.Action)
            .ShouldBe(["policy-version.proposed", "policy-version.signed-off", "policy-version.approved"]);
    }

    [Fact]
    public async Task The_text_is_rendered_without_anything_that_could_run()
    {
        var proposed = await ProposeAsync("Hello <script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>");

        // Tags in the text come out as text; the javascript: link loses its target.
        proposed.Html.ShouldNotContain("<script");
        proposed.Html.ShouldNotContain("<img");
        proposed.Html.ShouldNotContain("javascript:");
        proposed.Html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        proposed.Html.ShouldContain("<a>click</a>");
        proposed.Text.ShouldContain("<script>", Case.Sensitive, "the text is kept as written; only its rendering is made safe");
    }

    [Fact]
    public async Task A_proposal_needs_text_and_summary_and_a_policy_owner()
    {
        var problem = await S.Admin.PostAsync("/api/v1/policy/versions", new ProposePolicyVersionRequest(" ", null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["text", "summary"], ignoreOrder: true);
        await (await S.PersonAsync(Role.Requestor)).Client.PostAsync("/api/v1/policy/versions", new ProposePolicyVersionRequest("t", "s"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
    }

    [Fact]
    public async Task A_review_restarts_the_cycle_whose_reminders_and_overdue_follow_the_clock()
    {
        var version = await InForceAsync("# Policy\n\nReviewed yearly.");
        var officer = await S.PersonAsync(Role.SecurityOfficer);
        var refused = await officer.Client.PostAsync("/api/v1/policy/reviews", new PolicyReviewRequest(null, ""))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        refused.Errors!.Keys.ShouldBe(["outcome", "notes"], ignoreOrder: true);

        var reviewed = await ApiClient.ReadAsync<PolicyResponse>(await officer.Client.PostAsync("/api/v1/policy/reviews",
            new PolicyReviewRequest(PolicyReviewOutcome.Unchanged, "Read against this year's SOC 2 findings; nothing to change.")));
        var review = reviewed.Reviews[0];
        review.PolicyVersion.ShouldBe(version.Number);
        review.Reviewer.Id.ShouldBe(officer.Id);
        var due = reviewed.NextReviewDue!.Value;
        due.ShouldBe(review.ReviewedAt.AddMonths(12));

        App.Time.SetUtcNow(new DateTimeOffset(due.AddDays(-30).AddSeconds(-1), TimeSpan.Zero));
        (await PolicyAsync()).ReviewStatus.ShouldBe(PolicyReviewStatus.Current);
        App.Time.SetUtcNow(new DateTimeOffset(due.AddDays(-30), TimeSpan.Zero));
        (await PolicyAsync()).ReviewStatus.ShouldBe(PolicyReviewStatus.DueWithin30Days);
        App.Time.SetUtcNow(new DateTimeOffset(due.AddDays(-7), TimeSpan.Zero));
        (await PolicyAsync()).ReviewStatus.ShouldBe(PolicyReviewStatus.DueWithin7Days);
        App.Time.SetUtcNow(new DateTimeOffset(due.AddSeconds(1), TimeSpan.Zero));
        (await PolicyAsync()).ReviewStatus.ShouldBe(PolicyReviewStatus.Overdue);
        Now.ShouldBeGreaterThan(due);
    }
}

public sealed class PolicyDocumentTests_Sqlite(SqliteApp app) : PolicyDocumentTests(app), IClassFixture<SqliteApp>;

public sealed class PolicyDocumentTests_Postgres(PostgresApp app) : PolicyDocumentTests(app), IClassFixture<PostgresApp>;
