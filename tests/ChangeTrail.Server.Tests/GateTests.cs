using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Server.Tests.PipelineFlow;

namespace ChangeTrail.Server.Tests;

/// <summary>POST /gate through HTTP: the whole pipeline story, and each reason code the gate gives.</summary>
public abstract class GateTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Missing = SuitesMustHavePassed.Missing;
    private const string Failed = SuitesMustHavePassed.Failed;
    private const string NotTested = MustDeployToNonProductionFirst.Code;

    [Fact]
    public async Task A_change_goes_from_denied_to_deployed_and_verified_through_the_pipeline()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var n = change.Number;
        var pipeline = await S.PipelineAsync();
        App.IntoWindow(change);
        var asked = new List<Guid>();

        async Task<GateResponse> Ask(string environment)
        {
            var answer = await pipeline.GateAsync(n, service, environment);
            asked.Add(answer.GateId);
            return answer;
        }

        (await Ask("production")).ShouldDeny(Missing, Missing, Missing, NotTested);

        await pipeline.UploadAsync("junit-node-pass.xml", n, "unit");
        await pipeline.UploadAsync("results-pass.trx", n, "integration");
        (await Ask("production")).ShouldDeny(Missing, NotTested);

        await pipeline.UploadAsync("eslint-errors.sarif", n, "security", fileName: "eslint.sarif");
        var failed = await Ask("production");
        failed.ShouldDeny(Failed, NotTested);
        failed.Reasons[0].Message.ShouldContain("eslint.sarif");

        // A clean file of another name does not replace the failing one: every file of a suite must pass.
        await pipeline.UploadAsync("eslint-clean.sarif", n, "security", fileName: "eslint-clean.sarif");
        (await Ask("production")).ShouldDeny(Failed, NotTested);
        // The clean re-run under the same name does. It comes later, as a re-run does: of two files of one name uploaded at the
        // same instant, which one is the latest is decided by their random ids (SuitesMustHavePassed orders by time, then id).
        App.Time.Advance(TimeSpan.FromSeconds(1));
        await pipeline.UploadAsync("eslint-clean.sarif", n, "security", fileName: "eslint.sarif");
        (await Ask("production")).ShouldDeny(NotTested);

        var staging = await Ask("staging");
        staging.ShouldAllow();
        staging.Production.ShouldBeFalse();
        await pipeline.DeployAsync(n, service, "staging", DeploymentStatus.Started);
        await pipeline.DeployAsync(n, service, "staging", DeploymentStatus.Succeeded);
        (await pipeline.GetAsync(n)).State.ShouldBe(ChangeState.Approved);

        var production = await Ask("production");
        production.ShouldAllow();
        production.Reasons.ShouldBeEmpty();
        production.Change.ShouldBe(n);
        production.Production.ShouldBeTrue();

        var started = await pipeline.DeployAsync(n, service, "production", DeploymentStatus.Started);
        started.GateId.ShouldBe(production.GateId);
        var implementing = await pipeline.GetAsync(n);
        implementing.State.ShouldBe(ChangeState.Implementing);
        implementing.Implementer!.Id.ShouldBe(pipeline.Id);
        (await pipeline.DeployAsync(n, service, "production", DeploymentStatus.Succeeded)).Status.ShouldBe(DeploymentStatus.Succeeded);
        (await pipeline.GetAsync(n)).State.ShouldBe(ChangeState.Implemented);

        var verified = await pipeline.ActAsync(n, "verify", new VerifyRequest(VerificationOutcome.Success, "Smoke tests green."));
        verified.State.ShouldBe(ChangeState.Verified);

        var view = await pipeline.GetAsync(n);
        view.Evidence.Count.ShouldBe(5);
        view.GateDecisions.Select(d => d.Id).Order().ShouldBe(asked.Order());
        view.GateDecisions.Count(d => d.Decision == "allow").ShouldBe(2);
        view.Deployments.Count.ShouldBe(2);
        view.Deployments.ShouldAllBe(d => d.Status == DeploymentStatus.Succeeded);

        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        var decisions = ledger.Entries.Where(e => e.SubjectType == "GateDecision").ToList();
        foreach (var id in asked)
            decisions.ShouldContain(e => e.SubjectId == id.ToString(), $"gate decision {id} has no ledger entry");
        decisions.Where(e => asked.Contains(Guid.Parse(e.SubjectId))).Select(e => e.Action)
            .ShouldBe(["gate.denied", "gate.denied", "gate.denied", "gate.denied", "gate.denied", "gate.allowed", "gate.allowed"]);
    }

    [Fact]
    public async Task An_unknown_change_is_change_not_found()
    {
        var pipeline = await S.PipelineAsync();
        var answer = await pipeline.GateAsync("CR-999999", await S.ServiceAsync(), "staging");
        answer.ShouldDeny(ChangeMustExist.Code);
        answer.Change.ShouldBeNull();
    }

    [Fact]
    public async Task An_unknown_service_is_service_unknown_and_an_unknown_environment_environment_unknown_judged_as_production()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();

        // Judged as strictly as production (docs/pipelines.md): before the window, without suites or a staging deployment.
        var unknownService = await pipeline.GateAsync(change.Number, "svc-nobody-" + Scenario.Unique(), "staging");
        unknownService.ShouldDeny(ServiceMustBeRegistered.ServiceUnknown, MustBeInsideWindow.Code, Missing, Missing, Missing);
        unknownService.Production.ShouldBeTrue();
        (await pipeline.GateAsync(change.Number, service, "qa"))
            .ShouldDeny(ServiceMustBeRegistered.EnvironmentUnknown, MustBeInsideWindow.Code, Missing, Missing, Missing, NotTested);

        // With every production condition met, the unknown name is the only reason.
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        (await pipeline.GateAsync(change.Number, "svc-nobody-" + Scenario.Unique(), "staging")).ShouldDeny(ServiceMustBeRegistered.ServiceUnknown);
        (await pipeline.GateAsync(change.Number, service, "qa")).ShouldDeny(ServiceMustBeRegistered.EnvironmentUnknown);
    }

    [Fact]
    public async Task A_token_scoped_to_staging_asking_about_production_is_answered_scope_missing_and_recorded()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync(PipelineScopes);
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        var staging = await S.PipelineAsync(["gate:staging", Scopes.ChangesRead]);

        (await staging.GateAsync(change.Number, service, "staging")).ShouldAllow();
        var response = await staging.TryGateAsync(Question(change.Number, service, "production"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var answer = await ApiClient.ReadAsync<GateResponse>(response);
        answer.ShouldDeny(TokenMustCoverEnvironment.Code);
        (await pipeline.GetAsync(change.Number)).GateDecisions.ShouldContain(d => d.Id == answer.GateId && d.Decision == "deny");
    }

    [Fact]
    public async Task A_token_without_any_gate_scope_is_forbidden()
    {
        var pipeline = await S.PipelineAsync([Scopes.DeploymentsWrite, Scopes.ChangesRead]);
        await pipeline.TryGateAsync(Question("CR-1", await S.ServiceAsync(), "staging"))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
    }

    [Fact]
    public async Task A_submitted_change_is_not_approved_for_production()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service), approve: false);
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldDeny(ChangeMustBeApproved.NotApproved);
    }

    [Fact]
    public async Task A_cancelled_change_has_ended_even_for_staging()
    {
        var service = await S.ServiceAsync();
        var (requestor, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        await requestor.ActAsync(change.Number, "cancel", new NotesRequest(null, "Not needed."));
        var pipeline = await S.PipelineAsync();
        (await pipeline.GateAsync(change.Number, service, "staging")).ShouldDeny(ChangeMustBeApproved.ChangeEnded);
    }

    [Fact]
    public async Task Production_outside_the_window_is_outside_window_before_and_after()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);

        (await pipeline.GateAsync(change.Number, service, "production")).ShouldDeny(MustBeInsideWindow.Code);
        App.IntoWindow(change);
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
        App.Time.SetUtcNow(new DateTimeOffset(DateTime.SpecifyKind(change.PlannedEnd!.Value, DateTimeKind.Utc)).AddMinutes(1));
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldDeny(MustBeInsideWindow.Code);
    }

    [Fact]
    public async Task A_service_the_change_does_not_name_is_service_not_in_change()
    {
        var service = await S.ServiceAsync();
        var other = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        (await pipeline.GateAsync(change.Number, other, "staging")).ShouldDeny(ServiceMustBeInChange.Code);
    }

    [Fact]
    public async Task A_commit_the_change_does_not_name_is_commit_not_in_change_but_its_abbreviation_is_accepted()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        (await pipeline.GateAsync(change.Number, service, "staging", "0123456789abcdef0123456789abcdef01234567"))
            .ShouldDeny(CommitMustBeInChange.Code);
        (await pipeline.GateAsync(change.Number, service, "staging", Commit[..7])).ShouldAllow();
    }

    [Fact]
    public async Task Missing_suites_are_suite_missing_each()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        var answer = await pipeline.GateAsync(change.Number, service, "production");
        answer.ShouldDeny(Missing, Missing, Missing);
        answer.Reasons[0].Message.ShouldContain("unit");
        answer.Reasons[1].Message.ShouldContain("integration");
        answer.Reasons[2].Message.ShouldContain("security");
    }

    [Fact]
    public async Task A_failing_unit_report_is_suite_failed()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadAsync("junit-node.xml", change.Number, "unit");
        await pipeline.UploadAsync("results-pass.trx", change.Number, "integration");
        await pipeline.UploadAsync("eslint-clean.sarif", change.Number, "security");
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        var answer = await pipeline.GateAsync(change.Number, service, "production");
        answer.ShouldDeny(Failed);
        answer.Reasons[0].Message.ShouldContain("1 failed, 3 passed, 2 skipped");
    }

    [Fact]
    public async Task Production_before_a_successful_staging_deployment_is_not_deployed_to_nonprod_first()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(change.Number);
        App.IntoWindow(change);
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldDeny(NotTested);

        // A failed staging deployment does not count.
        await pipeline.DeployAsync(change.Number, service, "staging", DeploymentStatus.Started);
        await pipeline.DeployAsync(change.Number, service, "staging", DeploymentStatus.Failed);
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldDeny(NotTested);
        await pipeline.DeployToStagingAsync(change.Number, service);
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
    }

    [Fact]
    public async Task The_only_approver_asking_to_deploy_to_production_is_separation_of_duties()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor);
        var approver = await S.PersonAsync(Role.ChangeApprover, Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        await requestor.ActAsync(draft.Number, "submit");
        var change = await approver.ApproveAsync(draft.Number);
        change.State.ShouldBe(ChangeState.Approved);

        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);

        var own = App.As(await S.OwnTokenAsync(approver, [Scopes.Gate, Scopes.ChangesRead]));
        var answer = await ApiClient.ReadAsync<GateResponse>(await own.PostAsync("/api/v1/gate", Question(change.Number, service, "production")));
        answer.ShouldDeny(DeployerMayImplement.SeparationOfDuties);
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
    }

    [Fact]
    public async Task A_malformed_question_is_422_naming_the_field_and_records_nothing()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();

        (await pipeline.TryGateAsync(Question(change.Number, service, "staging", "xyz"))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["commit"]);
        (await pipeline.TryGateAsync(new GateRequest(null, null, service, "staging", Commit, null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed")).Errors!.Keys.ShouldBe(["change"]);
        (await pipeline.GetAsync(change.Number)).GateDecisions.ShouldBeEmpty();
    }
}

public sealed class GateTests_Sqlite(SqliteApp app) : GateTests(app), IClassFixture<SqliteApp>;

public sealed class GateTests_Postgres(PostgresApp app) : GateTests(app), IClassFixture<PostgresApp>;
