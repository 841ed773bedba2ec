using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Pipeline;

/// <summary>Where a deployment is: a pipeline reports it started, then how it ended.</summary>
public enum DeploymentStatus
{
    Started,
    Succeeded,
    Failed,
}

/// <summary>
/// One deployment of a service's commit to an environment under a change (policy 3.5: deployed through the pipeline, with
/// audit logging). Production deployments cite the gate decision that allowed them. A record of its own that
/// references the change; the change's own state follows from its production deployments.
/// </summary>
public sealed class Deployment
{
    public const int ArtifactMaxLength = 500;
    public const int PipelineUrlMaxLength = 2_000;

    private Deployment() { }

    public Guid Id { get; private set; }
    public Guid ChangeRequestId { get; private set; }
    public Guid ServiceId { get; private set; }
    public string Environment { get; private set; } = "";
    public bool Production { get; private set; }
    public string Commit { get; private set; } = "";

    /// <summary>The commit's lookup key (<see cref="CommitRef.KeyOf"/>).</summary>
    public string CommitKey { get; private set; } = "";
    public string? Artifact { get; private set; }
    public DeploymentStatus Status { get; private set; }
    public Guid? GateDecisionId { get; private set; }
    public string? PipelineUrl { get; private set; }

    /// <summary>The deploy command's exit code, when <c>changetrail deploy -- command</c> ran it.</summary>
    public int? ExitCode { get; private set; }

    public Guid DeployedById { get; private set; }
    public DateTime StartedAt { get; private set; }
    public DateTime? FinishedAt { get; private set; }

    /// <summary>Bumped by each report; a second report racing the first loses with a conflict instead of overwriting it.</summary>
    public int Version { get; private set; }

    public bool IsFinished => Status != DeploymentStatus.Started;

    /// <summary>What a pipeline reports: the deployment, and where it stands.</summary>
    public sealed record Report(Guid ServiceId, string Environment, bool Production, string Commit, string? Artifact,
        DeploymentStatus Status, string? PipelineUrl, int? ExitCode);

    /// <summary>Shape rules of a report, named by the request members they came in (docs/api.md, "Limits").</summary>
    public static Result Validate(string? commit, string? artifact, string? pipelineUrl)
    {
        var errors = new ValidationErrors();
        CommitRef.Validate(errors, "commit", commit);
        errors.MaxLength("artifact", artifact, ArtifactMaxLength);
        errors.MaxLength("pipelineUrl", pipelineUrl, PipelineUrlMaxLength);
        if (pipelineUrl is { Length: <= PipelineUrlMaxLength } &&
            (!Uri.TryCreate(pipelineUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
            errors.Add("pipelineUrl", "A pipeline URL is an absolute http(s) URL.");
        return errors.ToResult();
    }

    /// <summary>A deployment first reported now: started, or already finished when the pipeline reports only its end.</summary>
    public static Deployment Begin(Guid id, Guid changeRequestId, Report report, Guid? gateDecisionId, Guid deployedById, DateTime now) => new()
    {
        Id = id,
        ChangeRequestId = changeRequestId,
        ServiceId = report.ServiceId,
        Environment = report.Environment,
        Production = report.Production,
        Commit = report.Commit.ToLowerInvariant(),
        CommitKey = CommitRef.KeyOf(report.Commit),
        Artifact = report.Artifact,
        Status = report.Status,
        GateDecisionId = gateDecisionId,
        PipelineUrl = report.PipelineUrl,
        ExitCode = report.ExitCode,
        DeployedById = deployedById,
        StartedAt = now,
        FinishedAt = report.Status == DeploymentStatus.Started ? null : now,
        Version = 1,
    };

    /// <summary>Started → Succeeded or Failed. A deployment ends once; its end is not rewritten.</summary>
    public Result Finish(DeploymentStatus status, int? exitCode, string? pipelineUrl, DateTime now)
    {
        if (status == DeploymentStatus.Started)
            return new DeploymentAlreadyStarted(Id);
        if (IsFinished)
            return new DeploymentAlreadyFinished(Id, Status);
        Status = status;
        ExitCode = exitCode;
        PipelineUrl = pipelineUrl ?? PipelineUrl;
        FinishedAt = now;
        Version++;
        return Result.Success;
    }

    /// <summary>Whether this is the deployment a report is about: the same service, environment and commit.</summary>
    public bool IsOf(Guid serviceId, string environment, string commit) =>
        ServiceId == serviceId && string.Equals(Environment, environment, StringComparison.OrdinalIgnoreCase) && CommitRef.SameCommit(Commit, commit);
}
