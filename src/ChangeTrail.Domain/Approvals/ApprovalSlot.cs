using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.Approvals;

/// <summary>One approval a change needs, filled by one distinct person holding a matching role.</summary>
public enum ApprovalSlot
{
    /// <summary>A designated Change Approver (policy 3.3).</summary>
    ChangeApprover,
    /// <summary>A Change Advisory Board member: the second approval of a high-risk change.</summary>
    CabMember,
    /// <summary>Security Team sign-off for changes touching regulated data or security controls (policy 3.3).</summary>
    SecurityTeam,
}

public static class ApprovalSlots
{
    /// <summary>Which slots a person's roles let them fill. Holding several roles lets a person fill any one of them, never two.</summary>
    public static IReadOnlyList<ApprovalSlot> FillableBy(IReadOnlySet<Role> roles)
    {
        var slots = new List<ApprovalSlot>();
        if (roles.Contains(Role.ChangeApprover))
            slots.Add(ApprovalSlot.ChangeApprover);
        if (roles.Contains(Role.CabMember))
            slots.Add(ApprovalSlot.CabMember);
        if (roles.Contains(Role.SecurityReviewer) || roles.Contains(Role.SecurityOfficer))
            slots.Add(ApprovalSlot.SecurityTeam);
        return slots;
    }

    public static string Describe(ApprovalSlot slot) => slot switch
    {
        ApprovalSlot.ChangeApprover => "a Change Approver",
        ApprovalSlot.CabMember => "a CAB member",
        ApprovalSlot.SecurityTeam => "Security Team sign-off",
        _ => slot.ToString(),
    };
}
