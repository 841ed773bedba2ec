using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.Changes;

/// <summary>
/// A change's approval bookkeeping (policy 3.3 and 3.7): the slots it needs, fixed at submit (or at an emergency's
/// start), and every decision given on it. People are matched to slots so that distinct people fill distinct slots
/// and as many as possible are filled; the change decides when a decision may be given, this says what it counts for.
/// </summary>
public sealed class ChangeApprovals
{
    private readonly List<Approval> _decisions = [];

    /// <summary>The approvals the change needs, in the order the policy lists them.</summary>
    public IReadOnlyList<ApprovalSlot> Required => RequiredSlots;

    /// <summary>Every decision given, voided ones included: they stay on the record.</summary>
    public IReadOnlyList<Approval> Decisions => _decisions;

    /// <summary>The decisions still counting: given on the content as it is now.</summary>
    public IEnumerable<Approval> Active => _decisions.Where(a => a.IsActive);

    /// <summary>Whether every required slot is filled.</summary>
    public bool AreComplete => Outstanding().Count == 0;

    /// <summary>Whether an approver rejected the content as it is. A rejection is not of a version of the content, so an edit does not void it.</summary>
    public bool HaveRejection => Active.Any(a => a.Decision == ApprovalDecision.Reject);

    // The list the database column holds; the change maps it and sets it when it loads.
    internal List<ApprovalSlot> RequiredSlots { get; set; } = [];

    // The list the database fills when it loads the change's approvals.
    internal List<Approval> DecisionList => _decisions;

    /// <summary>The required approvals not yet filled, after matching people to slots.</summary>
    public IReadOnlyList<ApprovalSlot> Outstanding() => OutstandingAfter(null);

    /// <summary>For each required slot, who fills it (null when outstanding).</summary>
    public IReadOnlyList<Guid?> SlotAssignments() => ApprovalMatching.Match(RequiredSlots, ApproversForMatching(null));

    /// <summary>Whether <paramref name="person"/> has a decision that still counts.</summary>
    public bool HasDecided(Guid person) => Active.Any(a => a.ApproverId == person);

    /// <summary>Whether <paramref name="person"/> approved the content as it is: policy 3.7 then keeps them from deploying it.</summary>
    public bool HasApproved(Guid person) => Active.Any(a => a.ApproverId == person && a.Decision == ApprovalDecision.Approve);

    /// <summary>What the change needs, in words: "a Change Approver and a CAB member".</summary>
    public string Describe() =>
        RequiredSlots.Count == 0 ? "no approval" : string.Join(" and ", RequiredSlots.Select(ApprovalSlots.Describe));

    /// <summary>The outstanding approvals in words, as refusals name them.</summary>
    public IReadOnlyList<string> DescribeOutstanding() => Outstanding().Select(ApprovalSlots.Describe).ToList();

    /// <summary>Refuses an approver whose roles fill none of the required slots, naming the roles that would.</summary>
    internal DomainError? RefuseUnlessFillable(IReadOnlyList<ApprovalSlot> fillable) =>
        fillable.Intersect(RequiredSlots).Any() ? null : new ApproverRoleRequired(RequiredSlots.Distinct().Select(SlotRole).ToList());

    /// <summary>Whether <paramref name="approval"/> would fill a slot nobody fills yet, after matching everyone again.</summary>
    internal bool WouldFillASlot(Approval approval) => OutstandingAfter(approval).Count < Outstanding().Count;

    /// <summary>Fixes what the change needs; decisions already given are matched against the new slots.</summary>
    internal void Require(IReadOnlyList<ApprovalSlot> slots) => RequiredSlots = slots.ToList();

    internal void Record(Approval decision) => _decisions.Add(decision);

    /// <summary>Voids the approvals the edited content no longer matches and says how many. Rejections stand.</summary>
    internal int VoidApprovals(DateTime now)
    {
        var active = Active.Where(a => a.Decision == ApprovalDecision.Approve).ToList();
        foreach (var approval in active)
            approval.Void(now);
        return active.Count;
    }

    private List<ApprovalSlot> OutstandingAfter(Approval? extra)
    {
        var assignment = ApprovalMatching.Match(RequiredSlots, ApproversForMatching(extra));
        return RequiredSlots.Where((_, i) => assignment[i] is null).ToList();
    }

    private List<(Guid, IReadOnlyList<ApprovalSlot>)> ApproversForMatching(Approval? extra) =>
        Active.Append(extra).OfType<Approval>()
            .Where(a => a.Decision == ApprovalDecision.Approve)
            .Select(a => (a.ApproverId, (IReadOnlyList<ApprovalSlot>)a.FillableSlots))
            .ToList();

    private static string SlotRole(ApprovalSlot slot) => slot switch
    {
        ApprovalSlot.ChangeApprover => nameof(Role.ChangeApprover),
        ApprovalSlot.CabMember => nameof(Role.CabMember),
        _ => $"{nameof(Role.SecurityReviewer)} or {nameof(Role.SecurityOfficer)}",
    };
}
