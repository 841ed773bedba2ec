using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>POST /deployments and GET /deployments through HTTP: the gate's decision a production deployment needs, and the change it moves.</summary>
public abstract class DeploymentTests(ChangeTrailApp app) : ProviderTests(app)
{
    /// <summary>An approved change of a new service, its pipeline, passing suites and a staging deployment, and the clock in its window.</summary>
    private async Task<(string Service, ChangeResponse Change, Person Pipeline)> ReadyForProductionAsync()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(change.Number);
        await pipeline.DeployToStagingAsync(change.Number, service);
        App.IntoWindow(change);
        return (service, change, pipeline);
    }

    [Fact]
    public async Task A_production_start_without_an_allowing_decision_is_gate_decision_required()
    {
        var (service, change, pipeline) = await ReadyForProductionAsync();
        await pipeline.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Started)
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "gate-decision-required");

        // A denial is no allowing decision either.
        (await pipeline.GateAsync(change.Number, service, "production", "0123456789abcdef0123456789abcdef01234567"))
            .ShouldDeny("commit-not-in-change", "suite-missing", "suite-missing", "suite-missing", "not-deployed-to-nonprod-first");
        await pipeline.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Started, "0123456789abcdef0123456789abcdef01234567")
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "gate-decision-required");
        (await pipeline.GetAsync(change.Number)).State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task Someone_elses_allowing_decision_does_not_count()
    {
        var (service, change, pipeline) = await ReadyForProductionAsync();
        var allowed = await pipeline.GateAsync(change.Number, service, "production");
        allowed.ShouldAllow();
        var colleague = await S.PipelineAsync();
        await colleague.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Started)
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "gate-decision-required");
        await colleague.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Started, gateId: allowed.GateId)
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "gate-decision-required");
        (await pipeline.GetAsync(change.Number)).State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task An_allowing_decision_older_than_an_hour_is_stale()
    {
        var (service, change, pipeline) = await ReadyForProductionAsync();
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
        App.Time.Advance(TimeSpan.FromMinutes(61));
        await pipeline.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Started)
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "gate-decision-required");

        // Asked again, it may go.
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
        (await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Started)).Status.ShouldBe(DeploymentStatus.Started);
    }

    [Fact]
    public async Task A_second_start_is_409_and_a_second_end_is_409()
    {
        var (service, change, pipeline) = await ReadyForProductionAsync();
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
        var started = await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Started);
        await pipeline.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Started)
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "deployment-already-started");
        var succeeded = await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Succeeded);
        succeeded.Id.ShouldBe(started.Id);
        succeeded.FinishedAt.ShouldNotBeNull();
        await pipeline.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Succeeded)
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "deployment-already-finished");
        await pipeline.TryDeployAsync(change.Number, service, "production", DeploymentStatus.Failed)
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "deployment-already-finished");
        (await pipeline.GetAsync(change.Number)).Deployments.Count(d => d.Production).ShouldBe(1);

        // Likewise in staging, where no gate decision is needed: the end reported twice is one deployment.
        await pipeline.TryDeployAsync(change.Number, service, "staging", DeploymentStatus.Succeeded)
            .ShouldBeProblemAsync(HttpStatusCode.Conflict, "deployment-already-finished");
        (await pipeline.GetAsync(change.Number)).Deployments.Count(d => !d.Production).ShouldBe(1);
    }

    [Fact]
    public async Task A_non_production_deployment_needs_no_gate_decision()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        var started = await pipeline.DeployAsync(change.Number, service, "staging", DeploymentStatus.Started);
        started.GateId.ShouldBeNull();
        started.Production.ShouldBeFalse();
        (await pipeline.DeployAsync(change.Number, service, "staging", DeploymentStatus.Succeeded)).Status.ShouldBe(DeploymentStatus.Succeeded);
        (await pipeline.GetAsync(change.Number)).State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task A_change_of_two_services_is_implemented_once_both_production_deployments_succeeded()
    {
        var first = await S.ServiceAsync();
        var second = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(first) with { Services = [first, second] });
        var n = change.Number;
        var pipeline = await S.PipelineAsync();
        await pipeline.UploadPassingSuitesAsync(n);
        await pipeline.DeployToStagingAsync(n, first);
        await pipeline.DeployToStagingAsync(n, second);
        App.IntoWindow(change);

        (await pipeline.GateAsync(n, first, "production")).ShouldAllow();
        await pipeline.DeployAsync(n, first, "production", DeploymentStatus.Started);
        (await pipeline.GetAsync(n)).State.ShouldBe(ChangeState.Implementing);
        await pipeline.DeployAsync(n, first, "production", DeploymentStatus.Succeeded);
        (await pipeline.GetAsync(n)).State.ShouldBe(ChangeState.Implementing);

        (await pipeline.GateAsync(n, second, "production")).ShouldAllow();
        await pipeline.DeployAsync(n, second, "production", DeploymentStatus.Started);
        (await pipeline.GetAsync(n)).State.ShouldBe(ChangeState.Implementing);
        await pipeline.DeployAsync(n, second, "production", DeploymentStatus.Succeeded);
        (await pipeline.GetAsync(n)).State.ShouldBe(ChangeState.Implemented);
    }

    [Fact]
    public async Task A_failed_production_deployment_leaves_the_change_implementing()
    {
        var (service, change, pipeline) = await ReadyForProductionAsync();
        (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
        await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Started);
        var failed = await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Failed);
        failed.Status.ShouldBe(DeploymentStatus.Failed);
        (await pipeline.GetAsync(change.Number)).State.ShouldBe(ChangeState.Implementing);
    }

    [Fact]
    public async Task Deployments_of_a_service_to_production_are_listed_newest_first()
    {
        var (service, change, pipeline) = await ReadyForProductionAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            (await pipeline.GateAsync(change.Number, service, "production")).ShouldAllow();
            ids.Add((await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Started)).Id);
            await pipeline.DeployAsync(change.Number, service, "production", DeploymentStatus.Failed);
            App.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var page = await pipeline.Client.GetJsonAsync<DeploymentPage>($"/api/v1/deployments?service={service}&environment=production");
        page.Total.ShouldBe(2);
        page.Items.Select(d => d.Id).ShouldBe([ids[1], ids[0]]);
        page.Items.ShouldAllBe(d => d.Production && d.Service == service && d.Change == change.Number && d.Status == DeploymentStatus.Failed);
        var staging = await pipeline.Client.GetJsonAsync<DeploymentPage>($"/api/v1/deployments?service={service}&environment=STAGING");
        staging.Items.ShouldHaveSingleItem().Environment.ShouldBe("staging");
    }
}

public sealed class DeploymentTests_Sqlite(SqliteApp app) : DeploymentTests(app), IClassFixture<SqliteApp>;

public sealed class DeploymentTests_Postgres(PostgresApp app) : DeploymentTests(app), IClassFixture<PostgresApp>;
