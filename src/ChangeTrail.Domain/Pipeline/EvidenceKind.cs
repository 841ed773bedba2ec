namespace ChangeTrail.Domain.Pipeline;

/// <summary>
/// Which suite a file of evidence reports (policy 3.4: unit, integration and security suites must pass), or a
/// post-deployment smoke test (policy 3.5) a verification may cite.
/// </summary>
public enum EvidenceKind
{
    Unit,
    Integration,
    Security,
    Smoke,
}
