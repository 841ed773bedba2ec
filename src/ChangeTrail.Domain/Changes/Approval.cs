using ChangeTrail.Domain.Approvals;

namespace ChangeTrail.Domain.Changes;

/// <summary>
/// One person's decision on a change, bound to the content it was given on. It records which slots
/// the person's roles could fill at that moment, so later role changes do not rewrite history.
/// </summary>
public sealed class Approval
{
    private Approval() { }

    internal Approval(Guid changeRequestId, Guid approverId, ApprovalDecision decision, string? comment,
        IReadOnlyList<ApprovalSlot> fillable, string contentHash, DateTime at, string? credential)
    {
        Id = Guid.NewGuid();
        ChangeRequestId = changeRequestId;
        ApproverId = approverId;
        Decision = decision;
        Comment = comment;
        FillableSlots = fillable.ToList();
        ContentHash = contentHash;
        At = at;
        Credential = credential;
    }

    public Guid Id { get; private set; }
    public Guid ChangeRequestId { get; private set; }
    public Guid ApproverId { get; private set; }
    public ApprovalDecision Decision { get; private set; }
    public string? Comment { get; private set; }
    public List<ApprovalSlot> FillableSlots { get; private set; } = [];
    public string ContentHash { get; private set; } = "";
    public DateTime At { get; private set; }

    /// <summary>The credential the decision came with (<c>token:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>); null for decisions recorded before it was kept.</summary>
    public string? Credential { get; private set; }

    /// <summary>Set when the change's content was edited after this decision: it no longer counts.</summary>
    public DateTime? VoidedAt { get; private set; }

    public bool IsActive => VoidedAt is null;

    internal void Void(DateTime at) => VoidedAt ??= at;
}
