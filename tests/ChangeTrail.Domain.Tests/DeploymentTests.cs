using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>How production deployments move a change along, and who may report them and the verification that follows.</summary>
public sealed class DeploymentTests
{
    private readonly Team _team = new();
    private readonly Actor _pipeline = People.ServiceAccount("deploy", Role.Implementer);

    [Fact]
    public void A_production_deployment_starts_the_implementation_and_its_success_completes_it()
    {
        var change = _team.InState(ChangeState.Approved);
        change.DeploymentStarted(_pipeline, "web to production", Clock.Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implementing);
        change.ImplementerId.ShouldBe(_team.Implementer.Id, "the named implementer stays the implementer");
        change.PipelineId.ShouldBe(_pipeline.Id);

        change.DeploymentFinished(_pipeline, succeeded: true, everyServiceDeployed: false, "web", Clock.Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implementing, "another service is still to deploy");
        change.DeploymentFinished(_pipeline, succeeded: true, everyServiceDeployed: true, "api", Clock.Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implemented);

        // The pipeline that deployed it reports its verification.
        change.Verify(_pipeline, VerificationOutcome.Success, "Smoke tests green", Clock.Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Verified);
    }

    [Fact]
    public void A_failed_deployment_leaves_the_change_being_implemented()
    {
        var change = _team.InState(ChangeState.Approved);
        change.DeploymentStarted(_pipeline, "web", Clock.Now).ShouldSucceed();
        change.DeploymentFinished(_pipeline, succeeded: false, everyServiceDeployed: false, "web", Clock.Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implementing);
        change.PendingEvents.Select(e => e.Action).ShouldContain("deployment-failed");
    }

    [Fact]
    public void Without_a_named_implementer_whoever_deploys_implements()
    {
        var team = new Team();
        var change = team.ApproveAll(team.Submitted(with: c => c with { ImplementerId = null }));
        change.DeploymentStarted(_pipeline, "web", Clock.Now).ShouldSucceed();
        change.ImplementerId.ShouldBe(_pipeline.Id);
    }

    [Theory]
    [InlineData(ChangeState.Draft)]
    [InlineData(ChangeState.Submitted)]
    [InlineData(ChangeState.Verified)]
    [InlineData(ChangeState.Rejected)]
    public void Only_an_approved_change_or_one_under_way_is_deployed_to_production(ChangeState state) =>
        _team.InState(state).DeploymentStarted(_pipeline, "web", Clock.Now).ShouldFailWith<InvalidTransition>();

    [Fact]
    public void A_person_deploys_only_as_the_named_implementer_and_never_a_change_they_approved()
    {
        var change = _team.InState(ChangeState.Approved);
        change.CanStartDeployment(People.Person("other", Role.Implementer)).ShouldFailWith<NotTheImplementer>();
        change.CanStartDeployment(People.Person("no-role")).ShouldFailWith<Common.RoleRequired>();
        change.CanStartDeployment(_team.Implementer).ShouldSucceed();

        var approverImplementer = People.Person("both", Role.ChangeApprover, Role.Implementer);
        var team = new Team { Approver = approverImplementer };
        var approvedByDeployer = team.ApproveAll(team.Submitted(with: c => c with { ImplementerId = null }));
        approvedByDeployer.CanStartDeployment(approverImplementer).ShouldFailWith<ImplementerApprovalForbidden>();
    }

    [Fact]
    public void Another_pipeline_may_not_verify_a_change_it_did_not_deploy()
    {
        var change = _team.InState(ChangeState.Approved);
        change.DeploymentStarted(_pipeline, "web", Clock.Now).ShouldSucceed();
        change.DeploymentFinished(_pipeline, true, true, "web", Clock.Now).ShouldSucceed();
        change.Verify(People.ServiceAccount("other", Role.Implementer), VerificationOutcome.Success, null, Clock.Now)
            .ShouldFailWith<NotTheImplementer>();
    }

    [Fact]
    public void A_deployment_ends_once()
    {
        var deployment = Deployment.Begin(Guid.NewGuid(), Guid.NewGuid(),
            new Deployment.Report(Guid.NewGuid(), "production", true, "0123456789abcdef", null, DeploymentStatus.Started, null, null), null,
            _pipeline.Id, Clock.Now);
        deployment.Finish(DeploymentStatus.Started, null, null, Clock.Now).ShouldFailWith<DeploymentAlreadyStarted>();
        deployment.Finish(DeploymentStatus.Failed, 3, null, Clock.Now).ShouldSucceed();
        deployment.ExitCode.ShouldBe(3);
        deployment.Finish(DeploymentStatus.Succeeded, 0, null, Clock.Now).ShouldFailWith<DeploymentAlreadyFinished>();
    }

    [Theory]
    [InlineData("xyz", null, null, "commit")]
    [InlineData("0123456", null, "ftp://ci.example.test/1", "pipelineUrl")]
    [InlineData("0123456", null, "not a url", "pipelineUrl")]
    public void A_report_names_the_field_at_fault(string commit, string? artifact, string? url, string field) =>
        Deployment.Validate(commit, artifact, url).ShouldFailWith<Common.ValidationFailed>().Errors.Keys.ShouldBe([field]);
}
