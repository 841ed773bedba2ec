namespace ChangeTrail.Domain.Evidence;

/// <summary>
/// What an evidence file says. For a test report (JUnit, TRX) <see cref="Passed"/>, <see cref="Failed"/> and
/// <see cref="Skipped"/> count test cases (a JUnit <c>&lt;error&gt;</c> counts as failed) and there are no findings.
/// For SARIF the three counts are 0 and <see cref="FindingCounts"/> counts results by level.
/// <see cref="Tool"/> is the producing tool's name when the file says it (SARIF <c>tool.driver.name</c>,
/// the TRX <c>TestRun</c> or JUnit <c>testsuites</c> <c>name</c> attribute), else null.
/// <see cref="Findings"/> holds the first <see cref="EvidenceParser.MaxFindingsKept"/> results in file order.
/// </summary>
public sealed record EvidenceSummary(
    EvidenceFormat Format,
    int Passed,
    int Failed,
    int Skipped,
    FindingCounts FindingCounts,
    IReadOnlyList<EvidenceFinding> Findings,
    string? Tool);
