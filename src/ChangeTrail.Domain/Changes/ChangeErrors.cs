using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Changes;

public sealed record InvalidTransition(string Action, ChangeState State)
    : DomainError(ErrorKind.Conflict, "invalid-transition", "Not allowed in this state",
        $"A change request in state {State} cannot be asked to {Action}.");

/// <summary>Policy 3.2: a CR must carry every required field before it goes further. Names them all at once.</summary>
public sealed record MissingRequiredFields(IReadOnlyList<string> Fields)
    : DomainError(ErrorKind.Unprocessable, "missing-required-fields", "Required fields are missing",
        $"Fill in {string.Join(", ", Fields)} first."), IFieldErrors
{
    public IReadOnlyDictionary<string, string[]> FieldErrors => AsFieldErrors();

    /// <summary>What each missing field is told, by the API and the UI alike.</summary>
    public const string FieldMessage = "Required before the change can go further.";

    /// <summary>The missing fields as field errors, keyed like any validation error.</summary>
    public IReadOnlyDictionary<string, string[]> AsFieldErrors() => Fields.ToDictionary(f => f, _ => new[] { FieldMessage });
}

public sealed record SelfApprovalForbidden()
    : DomainError(ErrorKind.Forbidden, "self-approval-forbidden", "You cannot approve your own change",
        "You requested this change; someone else must decide on it (policy 3.7).");

public sealed record ImplementerApprovalForbidden()
    : DomainError(ErrorKind.Forbidden, "implementer-approval-forbidden", "The implementer cannot approve",
        "The person implementing a change cannot also be its approver (policy 3.7).");

public sealed record CommitAuthorApprovalForbidden(string Commit)
    : DomainError(ErrorKind.Forbidden, "commit-author-approval-forbidden", "Commit authors cannot approve",
        $"You authored commit {Commit} of this change; someone else must review it (policy 3.7).");

public sealed record ServiceAccountCannotApprove()
    : DomainError(ErrorKind.Forbidden, "service-account-cannot-approve", "Service accounts cannot approve",
        "A pipeline identity can never approve a change (policy 3.7).");

public sealed record ApproverRoleRequired(IReadOnlyList<string> Roles)
    : DomainError(ErrorKind.Forbidden, "approver-role-required", "You cannot approve this change",
        $"This change needs a decision from: {string.Join(", ", Roles)}; you hold none of those roles.");

public sealed record AlreadyApproved()
    : DomainError(ErrorKind.Conflict, "already-approved", "You have already decided",
        "You have already recorded your decision on this change; one person counts once.");

public sealed record ApprovalNotRequired(IReadOnlyList<string> Outstanding)
    : DomainError(ErrorKind.Conflict, "approval-not-required", "No outstanding approval you can fill",
        Outstanding.Count == 0
            ? "Every required approval has been given."
            : $"The approvals your roles can give are already given; this change still awaits {string.Join(" and ", Outstanding)}.");

public sealed record NotTheRequestor()
    : DomainError(ErrorKind.Forbidden, "not-the-requestor", "Only the requestor can do this",
        "Only the person who requested this change can edit, submit or cancel it.");

public sealed record NotTheImplementer()
    : DomainError(ErrorKind.Forbidden, "not-the-implementer", "Only the implementer can do this",
        "Another identity is the named implementer of this change.");

public sealed record ParticipantReviewForbidden()
    : DomainError(ErrorKind.Forbidden, "participant-review-forbidden", "You cannot review your own change",
        "The post-implementation review must be done by a CAB member who neither requested nor implemented the change.");

public sealed record PostImplementationReviewRequired()
    : DomainError(ErrorKind.Conflict, "post-implementation-review-required", "Review required",
        "An emergency change is closed only after a CAB member's post-implementation review (policy 3.6).");

public sealed record ApprovalsOutstanding(IReadOnlyList<string> Outstanding)
    : DomainError(ErrorKind.Conflict, "approvals-outstanding", "Approvals outstanding",
        $"This change still awaits {string.Join(" and ", Outstanding)}.");

public sealed record AlreadyUnderLegalHold(string Change, string Reason)
    : DomainError(ErrorKind.Conflict, "already-under-legal-hold", "Already under legal hold",
        $"{Change} is already held against retention purges ({Reason}).");

public sealed record NotUnderLegalHold(string Change)
    : DomainError(ErrorKind.Conflict, "not-under-legal-hold", "Not under legal hold", $"{Change} has no legal hold to release.");

public sealed record UnderLegalHold(string Change)
    : DomainError(ErrorKind.Conflict, "under-legal-hold", "Under legal hold",
        $"{Change} is under legal hold: it is kept whatever the retention period, until the hold is released.");

public sealed record WithinRetention(string Change, DateTime LastAction)
    : DomainError(ErrorKind.Conflict, "within-retention", "Within the retention period",
        $"{Change}'s last action ({LastAction:yyyy-MM-dd}) is not yet older than the retention period.");

public sealed record RejectionStands(string Change)
    : DomainError(ErrorKind.Conflict, "rejection-stands", "This change was rejected",
        $"{Change} was rejected by an approver; a rejection stands, so no later decision completes its approval. Roll it back, " +
        "and have a CAB member review it.");

public sealed record RollbackRequired(string Change)
    : DomainError(ErrorKind.Conflict, "rollback-required", "Rollback required",
        $"{Change} was rejected after it was implemented: it closes only once its rollback is recorded and a CAB member reviewed it.");

public sealed record StandardChangeNotEditable(string Change)
    : DomainError(ErrorKind.Conflict, "invalid-transition", "A Standard change is not edited",
        $"{Change} is a Standard change: its content is its approved template's. Cancel it and make another, or request a Normal change.");
