namespace ChangeTrail.Domain.Identity;

/// <summary>
/// The person or service account performing an action, as the rules need to see it. <paramref name="Credential"/>
/// names what they acted with (<c>token:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>), so a decision records it.
/// </summary>
public sealed record Actor(Guid Id, string Email, bool IsServiceAccount, IReadOnlySet<Role> Roles, string? Credential = null)
{
    public bool Has(Role role) => Roles.Contains(role);

    public bool HasAny(params ReadOnlySpan<Role> roles)
    {
        foreach (var role in roles)
        {
            if (Roles.Contains(role))
                return true;
        }
        return false;
    }
}

/// <summary>
/// ChangeTrail itself, as the actor of what no person does: the scheduled retention purge, and the record of a refused
/// sign-in (whose maker is, by definition, not proven to be anyone).
/// </summary>
public static class SystemActor
{
    public static readonly Guid Id = Guid.Empty;

    public const string DisplayName = "ChangeTrail (system)";
}
