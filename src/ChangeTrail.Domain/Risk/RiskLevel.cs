namespace ChangeTrail.Domain.Risk;

/// <summary>Risk in one dimension, or overall. Ordered: the overall risk is the highest dimension.</summary>
public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>The three dimensions of policy 3.2's risk assessment.</summary>
public enum RiskDimension
{
    Security,
    Availability,
    Operations,
}
