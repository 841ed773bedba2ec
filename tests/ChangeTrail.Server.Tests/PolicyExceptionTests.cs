using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Server.Tests.PipelineFlow;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The exception register through HTTP (policy 5): asked for by a requestor, approved by a Head of Engineering and a Security
/// Officer who are two people and neither the requestor, cited by a change to submit into a freeze and to pass the gate, and
/// ended by its expiry on the server's clock or by a revocation. Every exception and freeze names its own service.
/// </summary>
public abstract class PolicyExceptionTests(ChangeTrailApp app) : ProviderTests(app)
{
    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private PolicyExceptionRequest Body(string clause = "freeze-window", DateTime? expiresAt = null) => new(
        "Ship the payments fix during the quarter-close freeze", clause, "Deploy the v2 payments fix inside the freeze.",
        "Low: the fix is small and was canaried in staging.", "The on-call SRE watches the rollout; rollback is one click.",
        expiresAt ?? Now.AddDays(7));

    private static Task<HttpResponseMessage> TryAskAsync(Person requestor, PolicyExceptionRequest body) =>
        requestor.Client.PostAsync("/api/v1/exceptions", body);

    private static async Task<PolicyExceptionResponse> AskAsync(Person requestor, PolicyExceptionRequest body) =>
        await ApiClient.ReadAsync<PolicyExceptionResponse>(await TryAskAsync(requestor, body));

    private static Task<HttpResponseMessage> TryDecideAsync(Person approver, string exception, string decision = "approve") =>
        approver.Client.PostAsync($"/api/v1/exceptions/{exception}/approvals", new { decision, comment = "Compensated well enough." });

    private static async Task<PolicyExceptionResponse> DecideAsync(Person approver, string exception, string decision = "approve") =>
        await ApiClient.ReadAsync<PolicyExceptionResponse>(await TryDecideAsync(approver, exception, decision));

    /// <summary>An exception asked for by a new requestor and approved by a new Head of Engineering and Security Officer.</summary>
    private async Task<PolicyExceptionResponse> ApprovedAsync(Person requestor, string clause = "freeze-window", DateTime? expiresAt = null)
    {
        var exception = await AskAsync(requestor, Body(clause, expiresAt));
        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), exception.Number);
        return await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), exception.Number);
    }

    private async Task<FreezeWindowResponse> FreezeAsync(string service, DateTime start, DateTime end) =>
        await ApiClient.ReadAsync<FreezeWindowResponse>(await S.Admin.PostAsync("/api/v1/freeze-windows",
            new CreateFreezeWindowRequest("Quarter close", start, end, [service], null)));

    [Fact]
    public async Task A_requestor_asks_for_an_exception_which_is_numbered_listed_and_written_to_the_ledger()
    {
        var requestor = await S.PersonAsync(Role.Requestor);

        var response = await TryAskAsync(requestor, Body());
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var exception = await ApiClient.ReadAsync<PolicyExceptionResponse>(response);
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/exceptions/{exception.Number}");
        exception.Number.ShouldStartWith("EX-");
        exception.Status.ShouldBe(PolicyExceptionStatus.Requested);
        exception.InForce.ShouldBeFalse();
        (exception.PolicyClause.Key, exception.PolicyClause.Clause).ShouldBe(("freeze-window", "3.5"));
        exception.PolicyClause.Lifts.ShouldBe([MustBeOutsideFreeze.Code]);
        exception.RequiredSignOffs.Select(s => (s.SignOff, s.FilledBy)).ShouldBe(
            [(PolicySignOff.HeadOfEngineering, (PersonRef?)null), (PolicySignOff.SecurityOfficer, null)]);

        (await requestor.Client.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Number}")).Id.ShouldBe(exception.Id);
        (await requestor.Client.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Id}")).Number.ShouldBe(exception.Number);
        (await requestor.Client.GetJsonAsync<List<PolicyExceptionResponse>>("/api/v1/exceptions?status=requested"))
            .ShouldContain(e => e.Id == exception.Id);
        (await requestor.Client.GetJsonAsync<List<PolicyExceptionResponse>>("/api/v1/exceptions?status=approved"))
            .ShouldNotContain(e => e.Id == exception.Id);
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        var entry = ledger.Entries.Where(e => e.SubjectType == "PolicyException" && e.SubjectId == exception.Id.ToString()).ShouldHaveSingleItem();
        entry.Action.ShouldBe("exception.requested");
        entry.Record!.ShouldContain("\"policyClause\":\"freeze-window\"");
    }

    [Fact]
    public async Task An_undocumented_or_unwaivable_exception_is_422_naming_each_field_and_nothing_is_stored()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var before = (await requestor.Client.GetJsonAsync<List<PolicyExceptionResponse>>("/api/v1/exceptions")).Count;

        var empty = await TryAskAsync(requestor, new PolicyExceptionRequest(null, null, "", null, " ", null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        empty.Errors!.Keys.ShouldBe(["title", "policyClause", "description", "riskAssessment", "compensatingControls", "expiresAt"], ignoreOrder: true);

        var approval = await TryAskAsync(requestor, Body("separation-of-duties")).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        approval.Errors!["policyClause"][0].ShouldContain("never waived");
        var past = await TryAskAsync(requestor, Body(expiresAt: Now.AddMinutes(-1))).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        past.Errors!.Keys.ShouldBe(["expiresAt"]);

        await TryAskAsync(await S.PersonAsync(Role.HeadOfEngineering), Body()).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        await requestor.Client.GetAsync("/api/v1/exceptions?status=pending").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        await requestor.Client.GetAsync("/api/v1/exceptions/EX-999999").ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        (await requestor.Client.GetJsonAsync<List<PolicyExceptionResponse>>("/api/v1/exceptions")).Count.ShouldBe(before);
    }

    [Fact]
    public async Task The_controls_an_exception_may_waive_are_listed_with_what_each_lifts()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var controls = await requestor.Client.GetJsonAsync<List<WaivableControlDto>>("/api/v1/exceptions/controls");
        controls.Select(c => c.Key).ShouldBe(["freeze-window", "implementation-window", "automated-tests", "non-production-testing"]);
        controls.Single(c => c.Key == "automated-tests").Lifts.ShouldBe([SuitesMustHavePassed.Missing, SuitesMustHavePassed.Failed]);
    }

    [Fact]
    public async Task It_is_approved_by_a_head_of_engineering_and_a_security_officer_two_distinct_people()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var exception = await AskAsync(requestor, Body());
        var both = await S.PersonAsync(Role.HeadOfEngineering, Role.SecurityOfficer);

        var first = await DecideAsync(both, exception.Number);
        first.Status.ShouldBe(PolicyExceptionStatus.Requested);
        first.RequiredSignOffs.Count(s => s.FilledBy is not null).ShouldBe(1);
        // One person holding both roles fills one sign-off, never two.
        await TryDecideAsync(both, exception.Number).ShouldBeProblemAsync(HttpStatusCode.Conflict, "already-approved");

        var approved = await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), exception.Number);
        approved.Status.ShouldBe(PolicyExceptionStatus.Approved);
        approved.InForce.ShouldBeTrue();
        approved.RequiredSignOffs.Single(s => s.SignOff == PolicySignOff.HeadOfEngineering).FilledBy!.Id.ShouldBe(both.Id);
        approved.Decisions.Count.ShouldBe(2);
        approved.Decisions.ShouldAllBe(d => d.Credential != null && d.Credential.StartsWith("token:"));

        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Where(e => e.SubjectId == exception.Id.ToString()).Select(e => e.Action)
            .ShouldBe(["exception.requested", "exception.signed-off", "exception.approved"]);
    }

    [Fact]
    public async Task The_requestor_people_without_the_roles_and_pipelines_cannot_approve()
    {
        var lead = await S.PersonAsync(Role.Requestor, Role.HeadOfEngineering, Role.SecurityOfficer);
        var own = await AskAsync(lead, Body());
        await TryDecideAsync(lead, own.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "self-approval-forbidden");

        var exception = await AskAsync(await S.PersonAsync(Role.Requestor), Body());
        (await TryDecideAsync(await S.PersonAsync(Role.ChangeApprover, Role.CabMember), exception.Number)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var pipeline = await S.PipelineAsync();
        (await TryDecideAsync(pipeline, exception.Number)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await S.Admin.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Number}")).Decisions.ShouldBeEmpty();
    }

    [Fact]
    public async Task One_rejection_ends_it_and_a_change_cannot_cite_it_any_more()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var exception = await AskAsync(requestor, Body());
        (await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), exception.Number, "reject")).Status.ShouldBe(PolicyExceptionStatus.Rejected);
        await TryDecideAsync(await S.PersonAsync(Role.HeadOfEngineering), exception.Number).ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");

        var service = await S.ServiceAsync();
        var refused = await requestor.Client.PostAsync("/api/v1/changes", S.CompleteChange(service) with { Exceptions = [exception.Number, "EX-999999", new string('x', 101)] })
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        refused.Errors!.Keys.ShouldBe(["exceptions[0]", "exceptions[1]", "exceptions[2]"], ignoreOrder: true);
        refused.Errors["exceptions[2]"][0].ShouldNotContain("xxxx");
        refused.Errors["exceptions[0]"][0].ShouldContain("rejected");
    }

    [Fact]
    public async Task Submission_into_a_freeze_is_allowed_once_the_cited_exception_is_approved()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var exception = await AskAsync(requestor, Body());
        var draft = await requestor.CreateAsync(S.CompleteChange(service) with { Exceptions = [exception.Number] });
        draft.Exceptions.Select(e => (e.Number, e.Status)).ShouldBe([(exception.Number, PolicyExceptionStatus.Requested)]);
        await FreezeAsync(service, draft.PlannedStart!.Value.AddHours(-1), draft.PlannedEnd!.Value.AddHours(1));

        // Requested is not approved: the freeze still refuses the submission.
        await requestor.TryAsync(draft.Number, "submit").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "freeze-window");

        await DecideAsync(await S.PersonAsync(Role.HeadOfEngineering), exception.Number);
        await DecideAsync(await S.PersonAsync(Role.SecurityOfficer), exception.Number);
        var submitted = await requestor.ActAsync(draft.Number, "submit");

        submitted.State.ShouldBe(ChangeState.Submitted);
        submitted.Timeline[^1].Detail.ShouldNotBeNull().ShouldContain($"lifted by {exception.Number} (policy 3.5, freeze-window)");
        (await S.Admin.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Number}")).CitedBy.ShouldBe([draft.Number]);
    }

    [Fact]
    public async Task The_gate_allows_inside_a_freeze_under_a_cited_exception_says_so_and_denies_again_once_it_expires_mid_freeze()
    {
        var service = await S.ServiceAsync();
        var fields = S.CompleteChange(service);
        // The exception ends half an hour into the change's window, while the freeze lasts all of it.
        var exception = await ApprovedAsync(await S.PersonAsync(Role.Requestor), expiresAt: fields.PlannedStart!.Value.AddMinutes(30));
        var (_, _, change) = await S.ApprovedChangeAsync(fields with { Exceptions = [exception.Number] });
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);
        await FreezeAsync(service, change.PlannedStart!.Value.AddHours(-1), change.PlannedEnd!.Value.AddHours(1));
        App.IntoWindow(change, TimeSpan.FromMinutes(10));

        var allowed = await pipeline.GateAsync(change.Number, service, "production");
        allowed.ShouldAllow();
        var waiver = allowed.Waived.ShouldHaveSingleItem();
        waiver.Code.ShouldBe(MustBeOutsideFreeze.Code);
        waiver.Exception.ShouldBe(exception.Number);
        waiver.Message.ShouldContain("'Quarter close'");
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Single(e => e.SubjectId == allowed.GateId.ToString()).Record!.ShouldContain($"\"exception\":\"{exception.Number}\"");
        (await pipeline.GetAsync(change.Number)).GateDecisions.Single(d => d.Id == allowed.GateId).Waived.ShouldHaveSingleItem();

        // The server's clock ends it: one second before the expiry the gate still allows; at it, it denies.
        App.Time.SetUtcNow(new DateTimeOffset(exception.ExpiresAt.AddSeconds(-1), TimeSpan.Zero));
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
        App.Time.SetUtcNow(new DateTimeOffset(exception.ExpiresAt, TimeSpan.Zero));
        var denied = await pipeline.GateAsync(change.Number, service, "production");
        denied.ShouldDeny(MustBeOutsideFreeze.Code);
        denied.Waived.ShouldBeEmpty();
        (await S.Admin.GetJsonAsync<PolicyExceptionResponse>($"/api/v1/exceptions/{exception.Number}")).Status.ShouldBe(PolicyExceptionStatus.Expired);
    }

    [Fact]
    public async Task A_revoked_exception_lifts_nothing_and_only_its_approvers_or_an_admin_revoke_one_in_force()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor);
        var exception = await ApprovedAsync(requestor, "automated-tests");
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service) with { Exceptions = [exception.Number] });
        var pipeline = await S.PipelineAsync();
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);

        var untested = await pipeline.GateAsync(change.Number, service, "production");
        untested.ShouldAllow();
        untested.Waived.Select(w => w.Code).ShouldBe([SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing]);

        var revoke = new RevokeExceptionRequest("The suites are fixed; no more deploying untested.");
        await requestor.Client.PostAsync($"/api/v1/exceptions/{exception.Number}/revoke", revoke).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        await S.Admin.PostAsync($"/api/v1/exceptions/{exception.Number}/revoke", new RevokeExceptionRequest(" "))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        var revoked = await ApiClient.ReadAsync<PolicyExceptionResponse>(
            await S.Admin.PostAsync($"/api/v1/exceptions/{exception.Number}/revoke", revoke));
        revoked.Status.ShouldBe(PolicyExceptionStatus.Revoked);
        revoked.RevocationReason.ShouldBe(revoke.Reason);
        await S.Admin.PostAsync($"/api/v1/exceptions/{exception.Number}/revoke", revoke).ShouldBeProblemAsync(HttpStatusCode.Conflict, "invalid-transition");

        (await pipeline.GateAsync(change.Number, service, "production"))
            .ShouldDeny(SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing);
    }
}

public sealed class PolicyExceptionTests_Sqlite(SqliteApp app) : PolicyExceptionTests(app), IClassFixture<SqliteApp>;

public sealed class PolicyExceptionTests_Postgres(PostgresApp app) : PolicyExceptionTests(app), IClassFixture<PostgresApp>;
