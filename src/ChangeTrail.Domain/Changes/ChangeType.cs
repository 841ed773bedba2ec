namespace ChangeTrail.Domain.Changes;

/// <summary>Policy 3.1's change classification.</summary>
public enum ChangeType
{
    /// <summary>Pre-approved, low-risk and repeatable; instantiated from an approved template.</summary>
    Standard,
    /// <summary>Assessed, approved, tested and documented before it is made.</summary>
    Normal,
    /// <summary>Made at once to resolve a critical failure; documented and approved within 24 hours.</summary>
    Emergency,
}

/// <summary>Where a change request is in its lifecycle.</summary>
public enum ChangeState
{
    Draft,
    Submitted,
    Approved,
    Implementing,
    Implemented,
    Verified,
    Closed,
    Rejected,
    Cancelled,
    Failed,
    RolledBack,
}

/// <summary>An approver's decision.</summary>
public enum ApprovalDecision
{
    Approve,
    Reject,
}

/// <summary>The result of post-deployment verification (policy 3.5).</summary>
public enum VerificationOutcome
{
    Success,
    Failed,
}

/// <summary>What the CAB's post-implementation review of an emergency found (policy 3.6).</summary>
public enum ReviewOutcome
{
    /// <summary>The emergency change did what it had to, and was the right call.</summary>
    Successful,
    /// <summary>It resolved the incident only in part, or with side effects.</summary>
    PartiallySuccessful,
    /// <summary>It did not resolve the incident, or should not have been made as an emergency.</summary>
    Unsuccessful,
}

/// <summary>The CAB's post-implementation review as given: its outcome and root cause, required; follow-up actions and notes.</summary>
public sealed record PostImplementationReview(ReviewOutcome? Outcome, string? RootCause, IReadOnlyList<string> FollowUps, string? Notes);
