using System.Text.Json.Serialization;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.PolicyExceptions;

namespace ChangeTrail.Contracts;

/// <summary>
/// The body of POST /exceptions (policy 5): what deviates from the policy, from which control (<c>policyClause</c>, a key of
/// GET /exceptions/controls), its risk assessment, the compensating controls, and when it ends (UTC).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PolicyExceptionRequest(string? Title, string? PolicyClause, string? Description, string? RiskAssessment,
    string? CompensatingControls, DateTime? ExpiresAt);

/// <summary>POST /exceptions/{id}/revoke: why it ends early.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RevokeExceptionRequest(string? Reason);

/// <summary>A control an exception may waive: the key to name it by, its policy clause, and the gate reason codes it lifts.</summary>
public sealed record WaivableControlDto(string Key, string Clause, string Text, IReadOnlyList<string> Lifts);

/// <summary>One of the two sign-offs an exception needs, and who gives it once matched.</summary>
public sealed record RequiredSignOffDto(PolicySignOff SignOff, string Description, PersonRef? FilledBy);

/// <summary>A decision on an exception, with what the decider's roles let them sign off then.</summary>
public sealed record SignOffDecisionDto(PersonRef Approver, ApprovalDecision Decision, string? Comment, IReadOnlyList<PolicySignOff> Fillable,
    DateTime At, string? Credential);

/// <summary>
/// A policy exception. <c>status</c> is its state now, <c>expired</c> once its expiry has passed; <c>inForce</c> says whether
/// it lifts its control now. <c>citedBy</c> lists the changes citing it.
/// </summary>
public sealed record PolicyExceptionResponse(
    Guid Id,
    string Number,
    string Title,
    WaivableControlDto PolicyClause,
    string Description,
    string RiskAssessment,
    string CompensatingControls,
    DateTime ExpiresAt,
    PolicyExceptionStatus Status,
    bool InForce,
    PersonRef RequestedBy,
    DateTime CreatedAt,
    IReadOnlyList<RequiredSignOffDto> RequiredSignOffs,
    IReadOnlyList<SignOffDecisionDto> Decisions,
    DateTime? DecidedAt,
    PersonRef? RevokedBy,
    DateTime? RevokedAt,
    string? RevocationReason,
    IReadOnlyList<string> CitedBy,
    int Version);

/// <summary>An exception a change cites, as the change shows it.</summary>
public sealed record CitedExceptionDto(Guid Id, string Number, string Title, string PolicyClause, PolicyExceptionStatus Status, DateTime ExpiresAt);
