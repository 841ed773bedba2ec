namespace ChangeTrail.Domain.Identity;

/// <summary>The roles of policy section 4, plus the product's own administration and audit roles.</summary>
public enum Role
{
    Requestor,
    ChangeApprover,
    SecurityReviewer,
    CabMember,
    Implementer,
    Auditor,
    HeadOfEngineering,
    SecurityOfficer,
    Admin,
}

/// <summary>Which roles a service account (a pipeline identity) may hold.</summary>
public static class RoleRules
{
    /// <summary>Policy 3.7: a pipeline identity implements and reports; it never approves or administers.</summary>
    public static readonly IReadOnlySet<Role> AllowedForServiceAccounts =
        new HashSet<Role> { Role.Requestor, Role.Implementer, Role.Auditor };
}
