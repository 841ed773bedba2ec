namespace ChangeTrail.Domain.Identity;

/// <summary>The person or service account performing an action, as the rules need to see it.</summary>
public sealed record Actor(Guid Id, string Email, bool IsServiceAccount, IReadOnlySet<Role> Roles)
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

/// <summary>ChangeTrail itself, as the actor of what no person does: the scheduled retention purge.</summary>
public static class SystemActor
{
    public static readonly Guid Id = Guid.Empty;

    public const string DisplayName = "ChangeTrail (retention purge)";
}
