using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Risk;

namespace ChangeTrail.Domain.Approvals;

/// <summary>The approval-requirements table of ARCHITECTURE.md (policy 3.1 and 3.3).</summary>
public static class ApprovalPolicy
{
    public static IReadOnlyList<ApprovalSlot> RequirementsFor(ChangeType type, RiskLevel overallRisk, bool touchesRegulatedDataOrSecurityControl)
    {
        // A Standard change's template was approved once; its instances need nothing more.
        if (type == ChangeType.Standard)
            return [];

        var slots = new List<ApprovalSlot> { ApprovalSlot.ChangeApprover };
        // Emergencies get their second look from the CAB's post-implementation review instead.
        if (type == ChangeType.Normal && overallRisk == RiskLevel.High)
            slots.Add(ApprovalSlot.CabMember);
        if (touchesRegulatedDataOrSecurityControl)
            slots.Add(ApprovalSlot.SecurityTeam);
        return slots;
    }
}
