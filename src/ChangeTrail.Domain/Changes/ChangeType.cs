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
