using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Server.Features.Gate;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Server.Tests.PipelineFlow;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The Standard change catalog through HTTP (policy 3.1): a template written, approved once and published; Standard changes
/// made from it by a requestor or opened by the gate for a pipeline naming it; its expiry on the server's clock ending both.
/// Every template names a service of its own.
/// </summary>
public abstract class TemplateTests(ChangeTrailApp app) : ProviderTests(app)
{
    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private static TemplateRequest Body(string service, string? name = null, IReadOnlyList<string>? environments = null,
        IReadOnlyDictionary<string, string>? answers = null) => new(
        name ?? $"patching-{Scenario.Unique()}", "Monthly OS patching", "Security updates of the base image.", [service],
        environments ?? ["staging", "production"], "Keep hosts patched.", "The service's hosts.", "Rolling restarts; no downtime.",
        "Redeploy the previous image.", "Unit, integration and security suites.", answers ?? Scenario.LowRiskAnswers);

    private static async Task<TemplateResponse> WriteAsync(Person author, TemplateRequest body) =>
        await ApiClient.ReadAsync<TemplateResponse>(await author.Client.PostAsync("/api/v1/templates", body));

    private static async Task<TemplateResponse> StepAsync(Person who, string template, string step, object? body = null) =>
        await ApiClient.ReadAsync<TemplateResponse>(await who.Client.PostAsync($"/api/v1/templates/{template}/{step}", body ?? new { }));

    /// <summary>A template of <paramref name="service"/>, written by a new requestor and approved by a new Change Approver.</summary>
    private async Task<(Person Author, TemplateResponse Template)> PublishedAsync(string service, IReadOnlyList<string>? environments = null)
    {
        var author = await S.PersonAsync(Role.Requestor);
        var template = await WriteAsync(author, Body(service, environments: environments));
        await StepAsync(author, template.Name, "submit");
        var approver = await S.PersonAsync(Role.ChangeApprover);
        return (author, await StepAsync(approver, template.Name, "approvals", new DecisionRequest(ApprovalDecision.Approve, "routine")));
    }

    private ChangeFields StandardChange(Guid template, DateTime? start = null) =>
        new(ChangeType.Standard, null, null, null, null, null, null, null, start ?? Now.AddDays(1), (start ?? Now.AddDays(1)).AddHours(2), null, null, null,
            [new CommitDto(Commit, null)], null, template, null);

    [Fact]
    public async Task A_template_is_written_submitted_and_published_for_twelve_months_by_a_change_approver()
    {
        var service = await S.ServiceAsync();
        var author = await S.PersonAsync(Role.Requestor);

        var response = await author.Client.PostAsync("/api/v1/templates", Body(service, "routine-patching-" + Scenario.Unique()));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var draft = await ApiClient.ReadAsync<TemplateResponse>(response);
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/templates/{draft.Name}");
        draft.Status.ShouldBe(TemplateStatus.Draft);
        draft.MissingFields.ShouldBeEmpty();

        var submitted = await StepAsync(author, draft.Name, "submit");
        submitted.Status.ShouldBe(TemplateStatus.Submitted);
        submitted.RequiredApprovals.Select(a => a.Slot).ShouldBe([ApprovalSlot.ChangeApprover]);
        await author.Client.PostAsync($"/api/v1/templates/{draft.Name}/approvals", new DecisionRequest(ApprovalDecision.Approve, null))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");

        var approver = await S.PersonAsync(Role.ChangeApprover);
        var published = await StepAsync(approver, draft.Name, "approvals", new DecisionRequest(ApprovalDecision.Approve, "routine"));
        published.Status.ShouldBe(TemplateStatus.Published);
        // The server keeps instants to the microsecond, as both databases do.
        published.ApprovedAt!.Value.ShouldBe(Now, TimeSpan.FromMilliseconds(1));
        published.ExpiresAt!.Value.ShouldBe(published.ApprovedAt.Value.AddMonths(12));
        published.RequiredApprovals.Single().FilledBy!.Id.ShouldBe(approver.Id);

        (await author.Client.GetJsonAsync<List<TemplateResponse>>("/api/v1/templates?status=published")).ShouldContain(t => t.Id == draft.Id);
        (await author.Client.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{draft.Id}")).Name.ShouldBe(draft.Name);
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Where(e => e.SubjectId == draft.Id.ToString()).Select(e => e.Action)
            .ShouldBe(["template.created", "template.submitted", "template.published"]);
    }

    private static Task<HttpResponseMessage> ReviseAsync(Person who, string template, ReviseTemplateRequest body) =>
        who.Client.SendRawAsync(HttpMethod.Put, $"/api/v1/templates/{template}", System.Text.Json.JsonSerializer.Serialize(body, ApiJson.Options));

    private static ReviseTemplateRequest Revision(TemplateRequest written, string? title = null, IReadOnlyList<string>? environments = null) =>
        new(title ?? written.Title, written.Description, written.Services, environments ?? written.Environments, written.Purpose, written.Scope,
            written.ImpactAnalysis, written.RollbackPlan, written.TestPlan, written.RiskAnswers);

    [Fact]
    public async Task Its_author_revises_a_draft_and_a_rejected_template_which_then_goes_through_a_new_round_but_never_an_approved_one()
    {
        var service = await S.ServiceAsync();
        var author = await S.PersonAsync(Role.Requestor);
        var written = Body(service);
        var draft = await WriteAsync(author, written);

        // Refused, each for its own reason, and nothing changes.
        var stranger = await S.PersonAsync(Role.Requestor);
        await ReviseAsync(stranger, draft.Name, Revision(written, "Hijacked")).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "not-the-requestor");
        var bad = await ReviseAsync(author, draft.Name, Revision(written, " ", ["nowhere"])).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        bad.Errors!.Keys.ShouldBe(["environments[0]"]);
        // The name is what pipelines type at the gate: it is not the reviser's to change.
        await author.Client.SendRawAsync(HttpMethod.Put, $"/api/v1/templates/{draft.Name}", """{"name": "renamed", "title": "x"}""")
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest, "malformed-request");
        (await author.Client.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{draft.Name}")).Title.ShouldBe(written.Title);

        var revised = await ApiClient.ReadAsync<TemplateResponse>(await ReviseAsync(author, draft.Name, Revision(written, "Monthly OS patching, web hosts")));
        revised.Title.ShouldBe("Monthly OS patching, web hosts");
        revised.Name.ShouldBe(draft.Name);
        revised.Status.ShouldBe(TemplateStatus.Draft);

        await StepAsync(author, draft.Name, "submit");
        await ReviseAsync(author, draft.Name, Revision(written)).ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");
        var approver = await S.PersonAsync(Role.ChangeApprover);
        await StepAsync(approver, draft.Name, "approvals", new DecisionRequest(ApprovalDecision.Reject, "Say which hosts."));

        var again = await ApiClient.ReadAsync<TemplateResponse>(await ReviseAsync(author, draft.Name, Revision(written, "Monthly OS patching of the web hosts")));
        again.Status.ShouldBe(TemplateStatus.Draft, "a rejected template revised is a draft again");
        await StepAsync(author, draft.Name, "submit");
        var published = await StepAsync(approver, draft.Name, "approvals", new DecisionRequest(ApprovalDecision.Approve, "Clear now."));
        published.Status.ShouldBe(TemplateStatus.Published);
        published.Title.ShouldBe("Monthly OS patching of the web hosts");
        await ReviseAsync(author, draft.Name, Revision(written)).ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");

        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Where(e => e.SubjectId == draft.Id.ToString()).Select(e => e.Action).ShouldBe(["template.created", "template.revised",
            "template.submitted", "template.rejected", "template.revised", "template.resubmitted", "template.published"]);
    }

    [Fact]
    public async Task A_template_that_is_no_template_is_refused_naming_each_field_and_nothing_is_stored()
    {
        var service = await S.ServiceAsync();
        var author = await S.PersonAsync(Role.Requestor);
        var before = (await author.Client.GetJsonAsync<List<TemplateResponse>>("/api/v1/templates")).Count;

        var unknown = await author.Client.PostAsync("/api/v1/templates", Body(service, environments: ["moon"]))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        unknown.Errors!.Keys.ShouldBe(["environments[0]"]);
        var bad = await author.Client.PostAsync("/api/v1/templates", Body(service, name: "Routine Patching") with { Title = "" })
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        bad.Errors!.Keys.ShouldBe(["name", "title"], ignoreOrder: true);
        (await author.Client.GetJsonAsync<List<TemplateResponse>>("/api/v1/templates")).Count.ShouldBe(before);

        var taken = await WriteAsync(author, Body(service));
        var again = await author.Client.PostAsync("/api/v1/templates", Body(service, taken.Name))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "template-name-taken");
        again.Errors!.Keys.ShouldBe(["name"]);

        var risky = await WriteAsync(author, Body(service, answers: Scenario.HighRiskAnswers));
        await author.Client.PostAsync($"/api/v1/templates/{risky.Name}/submit", new { })
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "template-risk-not-low");
        var undocumented = await WriteAsync(author, Body(service) with { RollbackPlan = null });
        var missing = await author.Client.PostAsync($"/api/v1/templates/{undocumented.Name}/submit", new { })
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "missing-required-fields");
        missing.Errors!.Keys.ShouldBe(["rollbackPlan"]);
    }

    [Fact]
    public async Task A_requestor_makes_a_standard_change_approved_at_once_which_counts_as_usage_and_is_not_edited()
    {
        var service = await S.ServiceAsync();
        var (_, template) = await PublishedAsync(service);
        var requestor = await S.PersonAsync(Role.Requestor);

        var change = await requestor.CreateAsync(StandardChange(template.Id));

        change.Type.ShouldBe(ChangeType.Standard);
        change.State.ShouldBe(ChangeState.Approved);
        change.Title.ShouldBe(template.Title);
        change.Services.Select(s => s.Name).ShouldBe([service]);
        change.RequiredApprovals.ShouldBeEmpty();
        change.Timeline.ShouldHaveSingleItem().Detail!.ShouldContain($"from template {template.Name}");
        (await requestor.Client.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}")).Usage.ShouldBe(1);
        await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { title = "anything" })
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");

        var refused = await requestor.Client.PostAsync("/api/v1/changes", StandardChange(template.Id) with { Title = "mine", Scope = "everything" })
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        refused.Errors!.Keys.ShouldBe(["title", "scope"], ignoreOrder: true);
        (await requestor.Client.PostAsync("/api/v1/changes", StandardChange(Guid.NewGuid())).ShouldBeProblemAsync(
            HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["templateId"]);
    }

    [Fact]
    public async Task A_pipeline_naming_a_template_has_the_gate_open_one_standard_change_for_staging_and_production()
    {
        var service = await S.ServiceAsync();
        var (_, template) = await PublishedAsync(service);
        // One service account per stage, each scoped to its environment (docs/pipelines.md): they share the change the gate opens.
        var staging = await S.PipelineAsync([Domain.Identity.Scopes.GatePrefix + "staging", Domain.Identity.Scopes.DeploymentsWrite]);
        var production = await S.PipelineAsync([Domain.Identity.Scopes.GatePrefix + "production", Domain.Identity.Scopes.DeploymentsWrite,
            Domain.Identity.Scopes.EvidenceWrite, Domain.Identity.Scopes.ChangesRead]);
        static async Task<GateResponse> AskAsync(Person pipeline, string template, string service, string environment) =>
            await ApiClient.ReadAsync<GateResponse>(
                await pipeline.Client.PostAsync("/api/v1/gate", new GateRequest(null, template, service, environment, Commit, null)));

        // A freeze of the service guards production only: staging under the template still opens the change.
        await S.Admin.PostAsync("/api/v1/freeze-windows", new CreateFreezeWindowRequest("Quarter close", Now.AddMinutes(-5), Now.AddHours(1), [service], null));
        // A token not scoped to the environment opens nothing.
        var unscoped = await AskAsync(staging, template.Name, service, "production");
        unscoped.ShouldDeny("scope-missing");
        unscoped.Change.ShouldBeNull();

        var first = await AskAsync(staging, template.Name, service, "staging");
        first.ShouldAllow();
        var number = first.Change.ShouldNotBeNull();
        var opened = await production.GetAsync(number);
        opened.Type.ShouldBe(ChangeType.Standard);
        opened.State.ShouldBe(ChangeState.Approved);
        opened.Commits.Single().Sha.ShouldBe(Commit);
        opened.Implementer.ShouldBeNull("any implementer may deploy a change the gate opened");
        await staging.DeployAsync(number, service, "staging", DeploymentStatus.Started);
        await staging.DeployAsync(number, service, "staging", DeploymentStatus.Succeeded);

        // Production asks by the template with its own account: the same change, which still needs its suites and the freeze to end.
        var untested = await AskAsync(production, template.Name, service, "production");
        untested.Change.ShouldBe(number);
        untested.ShouldDeny(MustBeOutsideFreeze.Code, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing);
        await production.UploadPassingSuitesAsync(number);
        App.Time.Advance(TimeSpan.FromHours(1));
        (await AskAsync(production, template.Name, service, "production")).ShouldAllow();
        (await production.Client.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}")).Usage.ShouldBe(1);
    }

    [Fact]
    public async Task The_gate_opens_nothing_for_a_template_that_cannot_make_the_change()
    {
        var service = await S.ServiceAsync();
        var (author, template) = await PublishedAsync(service, environments: ["staging"]);
        var pipeline = await S.PipelineAsync();
        async Task<GateResponse> AskAsync(string name, string environment, string? forService = null) => await ApiClient.ReadAsync<GateResponse>(
            await pipeline.Client.PostAsync("/api/v1/gate", new GateRequest(null, name, forService ?? service, environment, Commit, null)));

        var production = await AskAsync(template.Name, "production");
        production.ShouldDeny(TemplateMustBeInForce.EnvironmentNotInTemplate);
        production.Change.ShouldBeNull();
        (await AskAsync("no-such-template", "staging")).ShouldDeny(GateStandardChange.TemplateNotFound);
        (await AskAsync(template.Name, "staging", "no-such-service")).ShouldDeny(ServiceMustBeRegistered.ServiceUnknown);
        (await AskAsync(template.Name, "staging", await S.ServiceAsync())).ShouldDeny(ServiceMustBeInChange.Code);

        var draft = await WriteAsync(author, Body(service));
        (await AskAsync(draft.Name, "staging")).ShouldDeny(TemplateNotPublished.Code);
        await StepAsync(author, template.Name, "retire", new RetireTemplateRequest("Superseded."));
        (await AskAsync(template.Name, "staging")).ShouldDeny(TemplateNotPublished.Code);
        (await pipeline.Client.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}")).Usage.ShouldBe(0);
        await pipeline.Client.PostAsync("/api/v1/gate", new GateRequest("CR-1", template.Name, service, "staging", Commit, null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
    }

    [Fact]
    public async Task An_admin_hands_the_template_of_someone_who_left_to_a_requestor_and_refusals_change_nothing()
    {
        var service = await S.ServiceAsync();
        var leaver = await S.PersonAsync(Role.Requestor);
        var template = await WriteAsync(leaver, Body(service));
        await StepAsync(leaver, template.Name, "submit");
        (await S.Admin.PostAsync($"/api/v1/users/{leaver.Id}/deactivate")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var successor = await S.PersonAsync(Role.Requestor, Role.ChangeApprover);
        var bystander = await S.PersonAsync(Role.Requestor);
        var implementer = await S.PersonAsync(Role.Implementer);
        Task<HttpResponseMessage> HandOverAsync(ApiClient who, string? to) =>
            who.PostAsync($"/api/v1/templates/{template.Name}/hand-over", new HandOverTemplateRequest(to));

        await HandOverAsync(bystander.Client, successor.Email).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "not-the-requestor");
        foreach (var (to, says) in new[] { ("nobody@example.test", "no active person"), (implementer.Email, "not a requestor"),
                     (leaver.Email, "no active person"), ("", "") })
        {
            var refused = await HandOverAsync(S.Admin, to).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
            refused.Errors!["author"][0].ShouldContain(says);
        }
        (await S.Admin.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}")).Author.Id.ShouldBe(leaver.Id, "nothing changed");

        var handedOver = await ApiClient.ReadAsync<TemplateResponse>(await HandOverAsync(S.Admin, successor.Email.ToUpperInvariant()));

        handedOver.Author.Id.ShouldBe(successor.Id);
        handedOver.FormerAuthors.Select(p => p.Id).ShouldBe([leaver.Id]);
        handedOver.Status.ShouldBe(TemplateStatus.Submitted);
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Where(e => e.SubjectId == template.Id.ToString()).Select(e => e.Action).ShouldContain("template.handed-over");
        // Its author now, the successor may not approve it; another Change Approver publishes it.
        await successor.Client.PostAsync($"/api/v1/templates/{template.Name}/approvals", new DecisionRequest(ApprovalDecision.Approve, "mine"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "self-approval-forbidden");
        var published = await StepAsync(await S.PersonAsync(Role.ChangeApprover), template.Name, "approvals",
            new DecisionRequest(ApprovalDecision.Approve, "routine"));
        published.Status.ShouldBe(TemplateStatus.Published);
    }

    [Fact]
    public async Task An_expired_template_makes_no_change_its_changes_are_denied_and_re_approval_publishes_it_again()
    {
        var service = await S.ServiceAsync();
        var (author, template) = await PublishedAsync(service);
        var expiry = template.ExpiresAt!.Value;
        var change = await (await S.PersonAsync(Role.Requestor)).CreateAsync(StandardChange(template.Id, start: expiry.AddHours(-1)));

        // A year on, everyone signs in afresh: their tokens expired long before the template did.
        App.Time.SetUtcNow(new DateTimeOffset(expiry.AddMinutes(-10), TimeSpan.Zero));
        var pipeline = await S.PipelineAsync();
        var requestor = await S.PersonAsync(Role.Requestor);
        // A second before the expiry the gate holds the change to its window; at the expiry, to its template.
        App.Time.SetUtcNow(new DateTimeOffset(expiry.AddSeconds(-1), TimeSpan.Zero));
        (await pipeline.GateAsync(change.Number, service, "staging")).ShouldAllow();
        App.Time.SetUtcNow(new DateTimeOffset(expiry, TimeSpan.Zero));
        (await pipeline.GateAsync(change.Number, service, "staging")).ShouldDeny(TemplateExpired.Code);
        (await requestor.Client.GetJsonAsync<TemplateResponse>($"/api/v1/templates/{template.Name}")).Status.ShouldBe(TemplateStatus.Expired);
        await requestor.Client.PostAsync("/api/v1/changes", StandardChange(template.Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict, "template-expired");

        var authorAgain = author with { Client = S.App.As(await S.OwnTokenAsync(author, Scenario.PersonScopes)) };
        (await StepAsync(authorAgain, template.Name, "submit")).Round.ShouldBe(2);
        var renewed = await StepAsync(await S.PersonAsync(Role.ChangeApprover), template.Name, "approvals",
            new DecisionRequest(ApprovalDecision.Approve, "still routine"));
        renewed.Status.ShouldBe(TemplateStatus.Published);
        renewed.ExpiresAt!.Value.ShouldBe(Now.AddMonths(12), TimeSpan.FromMilliseconds(1));
        (await requestor.CreateAsync(StandardChange(template.Id))).State.ShouldBe(ChangeState.Approved);
    }
}

public sealed class TemplateTests_Sqlite(SqliteApp app) : TemplateTests(app), IClassFixture<SqliteApp>;

public sealed class TemplateTests_Postgres(PostgresApp app) : TemplateTests(app), IClassFixture<PostgresApp>;
