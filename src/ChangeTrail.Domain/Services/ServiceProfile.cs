namespace ChangeTrail.Domain.Services;

/// <summary>What the rules need to know of a service a change touches (policy 3.3's second clause).</summary>
public sealed record ServiceProfile(Guid Id, string Name, bool RegulatedData, bool SecurityControl)
{
    public bool NeedsSecuritySignOff => RegulatedData || SecurityControl;
}
