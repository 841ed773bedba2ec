using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Deployments;

/// <summary>
/// POST /deployments: a pipeline reports that a deployment started, succeeded or failed (policy 3.5: deployed through the
/// pipeline, with audit logging). A production deployment needs the gate's allowing answer to that very question, asked by
/// the same identity; it moves the change along: Approved → Implementing at its start, → Implemented once every service of
/// the change is deployed. The report, the deployment and the change are saved together, with their ledger entries.
/// </summary>
public static class RecordDeployment
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/deployments", HandleAsync)
            .RequireAccess(Scopes.DeploymentsWrite, Role.Implementer)
            .WithName(nameof(RecordDeployment)).WithTags("Pipeline")
            .WithSummary("Report a deployment started, succeeded or failed; a production one needs the gate's allowing decision");

    private static async Task<Results<Created<DeploymentDto>, ProblemHttpResult>> HandleAsync(DeploymentRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, ChangeCommand command, IOptions<ChangeTrailOptions> options, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, command, options.Value.Gate.DecisionValidFor, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/deployments/{result.Value!.Id}", result.Value)
            : Problems.From(result.Error!);
    }

    public static async Task<Result<DeploymentDto>> ExecuteAsync(DeploymentRequest body, Actor actor, ChangeTrailDbContext db,
        ChangeCommand command, TimeSpan decisionValidFor, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Require("change", body.Change, GateDecision.ChangeReferenceMaxLength);
        errors.Require("service", body.Service, Service.NameMaxLength);
        errors.Require("environment", body.Environment, Service.NameMaxLength);
        if (body.Status is null)
            errors.Add("status", "Say whether the deployment started, succeeded or failed.");
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;
        var shape = Deployment.Validate(body.Commit, body.Artifact, body.PipelineUrl);
        if (!shape.IsSuccess)
            return shape.Error!;

        var name = Service.Normalize(body.Service!);
        var service = await db.Services.AsNoTracking().SingleOrDefaultAsync(s => s.NormalizedName == name, cancellationToken);
        if (service is null)
            return ValidationFailed.For("service", $"No service named {body.Service!.Trim()} is registered.");
        var environment = service.Environments.FirstOrDefault(e => string.Equals(e.Name, body.Environment!.Trim(), StringComparison.OrdinalIgnoreCase));
        if (environment is null)
            return ValidationFailed.For("environment", $"{service.Name} has no environment named {body.Environment!.Trim()}.");

        var report = new Deployment.Report(service.Id, environment.Name, environment.Production, body.Commit!, body.Artifact, body.Status!.Value,
            body.PipelineUrl, body.ExitCode);
        Deployment? recorded = null;
        // Through the change's command: deployments of two services of one change racing each other are both kept (re-read, retried).
        var saved = await command.SaveAsync(body.Change!.Trim(), actor, null,
            async (change, _, now, ct) =>
            {
                var reported = await ReportAsync(change, service.Name, report, body.GateId, actor, db, now, decisionValidFor, ct);
                recorded = reported.Value;
                return reported.IsSuccess ? Result.Success : reported.Error!;
            },
            OnConflict.Retry, cancellationToken);
        if (!saved.IsSuccess)
            return saved.Error!;
        return await DeploymentView.BuildAsync(recorded!, db, cancellationToken);
    }

    /// <summary>Applies one report to the change and its deployment (new, or the one under way), queuing the ledger entries.</summary>
    private static async Task<Result<Deployment>> ReportAsync(ChangeRequest change, string service, Deployment.Report report, Guid? gateId, Actor actor,
        ChangeTrailDbContext db, DateTime now, TimeSpan decisionValidFor, CancellationToken cancellationToken)
    {
        if (!change.Services.Contains(report.ServiceId))
            return ValidationFailed.For("service", $"{change.DisplayNumber} does not name the service {service}.");
        var key = CommitRef.KeyOf(report.Commit);
        var latest = (await db.Deployments.Where(d => d.ChangeRequestId == change.Id && d.ServiceId == report.ServiceId && d.CommitKey == key)
                .ToListAsync(cancellationToken))
            .Where(d => d.IsOf(report.ServiceId, report.Environment, report.Commit))
            .OrderByDescending(d => d.StartedAt).ThenByDescending(d => d.Status == DeploymentStatus.Started)
            .FirstOrDefault();
        var underWay = latest is { Status: DeploymentStatus.Started } ? latest : null;
        // An end reported again, with no deployment under way, is the same report twice: the last one ended already.
        if (underWay is null && latest is not null && report.Status != DeploymentStatus.Started)
            return new DeploymentAlreadyFinished(latest.Id, latest.Status);
        var description = $"{service} to {report.Environment}: commit {report.Commit[..Math.Min(12, report.Commit.Length)]}";

        Deployment deployment;
        if (underWay is not null)
        {
            if (report.Status == DeploymentStatus.Started)
                return new DeploymentAlreadyStarted(underWay.Id);
            var finished = underWay.Finish(report.Status, report.ExitCode, report.PipelineUrl, now);
            if (!finished.IsSuccess)
                return finished.Error!;
            deployment = underWay;
        }
        else
        {
            var decision = await AllowingDecisionAsync(change, report, gateId, actor, db, now, decisionValidFor, cancellationToken);
            if (report.Production && decision is null)
                return new GateDecisionRequired(change.DisplayNumber, service, report.Environment);
            if (report.Production)
            {
                var started = change.DeploymentStarted(actor, description, now);
                if (!started.IsSuccess)
                    return started.Error!;
            }
            deployment = Deployment.Begin(Guid.NewGuid(), change.Id, report, decision?.Id, actor.Id, now);
            db.Deployments.Add(deployment);
        }

        if (report.Production && deployment.IsFinished)
        {
            var succeeded = deployment.Status == DeploymentStatus.Succeeded;
            var finished = change.DeploymentFinished(actor, succeeded,
                succeeded && await EveryServiceDeployedAsync(change, deployment, db, cancellationToken), description, now);
            if (!finished.IsSuccess)
                return finished.Error!;
        }
        db.Record(LedgerSubjects.Deployment, actor.Id, deployment.Status.ToString().ToLowerInvariant(), deployment, now);
        return deployment;
    }

    /// <summary>
    /// The gate decision the deployment cites, or the deployer's latest one for the same question: an allow, by the same identity,
    /// recent enough. Null when there is none (a production deployment is then refused; a testing one goes unlinked).
    /// </summary>
    private static async Task<GateDecision?> AllowingDecisionAsync(ChangeRequest change, Deployment.Report report, Guid? gateId, Actor actor,
        ChangeTrailDbContext db, DateTime now, TimeSpan validFor, CancellationToken cancellationToken)
    {
        var since = now - validFor;
        var candidates = await db.GateDecisions.AsNoTracking()
            .Where(d => d.ChangeRequestId == change.Id && d.AskedById == actor.Id && d.Allowed && d.At >= since && (gateId == null || d.Id == gateId))
            .ToListAsync(cancellationToken);
        return candidates.Where(d => d.Permits(change.Id, report.ServiceId, report.Environment, report.Commit, actor.Id, now, validFor))
            .OrderByDescending(d => d.At).FirstOrDefault();
    }

    /// <summary>Whether, with <paramref name="latest"/>, every service of the change has a succeeded production deployment under it.</summary>
    private static async Task<bool> EveryServiceDeployedAsync(ChangeRequest change, Deployment latest, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var deployed = await db.Deployments.AsNoTracking()
            .Where(d => d.ChangeRequestId == change.Id && d.Production && d.Status == DeploymentStatus.Succeeded)
            .Select(d => d.ServiceId).Distinct().ToListAsync(cancellationToken);
        return change.Services.All(id => id == latest.ServiceId || deployed.Contains(id));
    }
}
