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

    /// <summary>
    /// The password was set by an Admin, so someone other than the person knows it: it is temporary, and neither signs in
    /// nor issues a token until the person has chosen their own.
    /// </summary>
    public bool MustChangePassword { get; set; }

    /// <summary>The SHA-256 of the one-time invitation code an Admin was given for this person, while one is open.</summary>
    public string? InvitationHash { get; set; }

    public DateTime? InvitationExpiresAt { get; set; }

    public bool IsActive => DeactivatedAt is null;
}
