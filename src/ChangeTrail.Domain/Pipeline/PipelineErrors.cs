using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Pipeline;

public sealed record DeploymentAlreadyFinished(Guid Deployment, DeploymentStatus Status)
    : DomainError(ErrorKind.Conflict, "deployment-already-finished", "The deployment has ended",
        $"Deployment {Deployment} already ended ({Status}); an ended deployment is not reported again. Report a new one.");

public sealed record DeploymentAlreadyStarted(Guid Deployment)
    : DomainError(ErrorKind.Conflict, "deployment-already-started", "The deployment has started",
        $"Deployment {Deployment} of this commit to this environment is already under way; report how it ended.");

/// <summary>Policy 3.5 and 3.7: nothing reaches production without an allowing answer of the gate to that very question.</summary>
public sealed record GateDecisionRequired(string Change, string Service, string Environment)
    : DomainError(ErrorKind.Forbidden, "gate-decision-required", "The gate has not allowed this deployment",
        $"No allowing gate decision of yours, recent enough, covers deploying this commit of {Service} to {Environment} under {Change}. " +
        "Ask the gate first (changetrail gate, or POST /api/v1/gate); changetrail deploy -- <command> does both.");

public sealed record EvidenceTooLarge(long Limit)
    : DomainError(ErrorKind.TooLarge, "evidence-too-large", "Evidence file too large",
        $"An evidence file may be at most {Limit:N0} bytes (ChangeTrail:Evidence:MaxFileBytes); nothing was stored.");
