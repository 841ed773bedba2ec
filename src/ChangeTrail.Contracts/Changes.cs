using System.Text.Json.Serialization;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;

namespace ChangeTrail.Contracts;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CommitDto(string Sha, string? AuthorEmail);

/// <summary>
/// The body of POST /changes, and the document a PATCH (JSON Merge Patch) is applied to. Services are
/// named by id or name; the implementer by id, email or service-account name; cited policy exceptions by id or number (EX-3).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChangeFields(
    ChangeType? Type,
    string? Title,
    string? Purpose,
    string? Scope,
    string? ImpactAnalysis,
    string? RollbackPlan,
    string? TestPlan,
    string? TestResults,
    DateTime? PlannedStart,
    DateTime? PlannedEnd,
    IReadOnlyList<string>? Services,
    IReadOnlyDictionary<string, string>? RiskAnswers,
    string? Implementer,
    IReadOnlyList<CommitDto>? Commits,
    IReadOnlyList<string>? Links,
    Guid? TemplateId,
    string? EmergencyJustification,
    IReadOnlyList<string>? Exceptions = null);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DecisionRequest(ApprovalDecision? Decision, string? Comment);

/// <param name="Evidence">An uploaded evidence file of the change (a smoke test's results) the verification rests on; without an outcome, its result is the outcome.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VerifyRequest(VerificationOutcome? Outcome, string? Notes, Guid? Evidence = null);

/// <summary>Optional body of start, complete, rollback, close, cancel and review.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record NotesRequest(string? Notes, string? Reason);

public sealed record PersonRef(Guid Id, string DisplayName);

public sealed record ServiceRef(Guid Id, string Name, bool RegulatedData, bool SecurityControl);

public sealed record RequiredApprovalDto(ApprovalSlot Slot, string Description, PersonRef? FilledBy);

/// <param name="Credential">What the decision came with: <c>token:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c> (null for older decisions).</param>
public sealed record ApprovalDto(Guid Id, PersonRef Approver, ApprovalDecision Decision, string? Comment, DateTime At, bool Voided, DateTime? VoidedAt,
    string? Credential);

public sealed record TimelineEntryDto(DateTime At, PersonRef Actor, string Action, string? Detail);

/// <summary>The CAB's post-implementation review of an emergency: outcome and root cause (null on reviews from before they were asked), follow-ups.</summary>
public sealed record ReviewDto(PersonRef Reviewer, DateTime At, string? Notes, string? Credential, ReviewOutcome? Outcome, string? RootCause,
    IReadOnlyList<string> FollowUps);

/// <summary>POST /changes/{id}/review: the CAB's post-implementation review of an emergency (policy 3.6).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReviewRequest(ReviewOutcome? Outcome, string? RootCause, IReadOnlyList<string?>? FollowUps, string? Notes);

/// <summary>A legal hold: the change is kept whatever the retention period says, until the hold is released.</summary>
public sealed record LegalHoldDto(string Reason, PersonRef PlacedBy, DateTime PlacedAt);

/// <summary>POST /changes/{id}/legal-hold.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LegalHoldRequest(string? Reason);

public sealed record ChangeResponse(
    Guid Id,
    string Number,
    ChangeType Type,
    ChangeState State,
    string Title,
    string? Purpose,
    string? Scope,
    string? ImpactAnalysis,
    string? RollbackPlan,
    string? TestPlan,
    string? TestResults,
    DateTime? PlannedStart,
    DateTime? PlannedEnd,
    IReadOnlyList<ServiceRef> Services,
    IReadOnlyDictionary<string, string> RiskAnswers,
    RiskDto Risk,
    PersonRef Requestor,
    PersonRef? Implementer,
    IReadOnlyList<CommitDto> Commits,
    IReadOnlyList<string> Links,
    string? EmergencyJustification,
    IReadOnlyList<string> MissingFields,
    IReadOnlyList<RequiredApprovalDto> RequiredApprovals,
    IReadOnlyList<ApprovalDto> Approvals,
    string ContentHash,
    int Version,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? SubmittedAt,
    DateTime? ApprovedAt,
    DateTime? ImplementationStartedAt,
    DateTime? ImplementedAt,
    DateTime? VerifiedAt,
    string? VerificationNotes,
    DateTime? ClosedAt,
    string? CancellationReason,
    DateTime? DocumentationDueAt,
    bool DocumentationOverdue,
    bool RejectedRetrospectively,
    ReviewDto? Review,
    LegalHoldDto? LegalHold,
    IReadOnlyList<TimelineEntryDto> Timeline,
    IReadOnlyList<EvidenceResponse> Evidence,
    IReadOnlyList<DeploymentDto> Deployments,
    IReadOnlyList<GateDecisionDto> GateDecisions,
    Guid? VerificationEvidence,
    IReadOnlyList<CitedExceptionDto> Exceptions,
    DateTime? ReviewDueAt,
    DateTime? DocumentedAt,
    IReadOnlyList<string> Flags,
    string? Template);

public sealed record ChangeSummary(
    Guid Id,
    string Number,
    ChangeType Type,
    ChangeState State,
    string Title,
    Domain.Risk.RiskLevel Risk,
    PersonRef Requestor,
    DateTime? PlannedStart,
    DateTime? PlannedEnd,
    DateTime UpdatedAt,
    IReadOnlyList<string> Flags);

public sealed record PagedResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>
/// GET/PUT /settings/retention: the retention period (policy 3.5), or null months when none was ever set (nothing is
/// purged then); <see cref="Cutoff"/> is what it means today: ended changes whose last action is older are purged.
/// </summary>
public sealed record RetentionResponse(int? Months, DateTime? Cutoff, PersonRef? ChangedBy, DateTime? ChangedAt);

/// <summary>PUT /settings/retention.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SetRetentionRequest(int? Months);
