using Microsoft.AspNetCore.Identity;

namespace ChangeTrail.Persistence.Identity;

/// <summary>A person or a service account. Both sign in (people with a password, pipelines with tokens) and both are actors in the ledger.</summary>
public sealed class AppUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";
    public bool IsServiceAccount { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Set when an admin deactivated the identity: its sessions and tokens stop working at once.</summary>
    public DateTime? DeactivatedAt { get; set; }

    public DateTime? LastSignInAt { get; set; }

    public bool IsActive => DeactivatedAt is null;
}
