namespace ChangeTrail.Domain.Evidence;

public enum EvidenceFormat { JUnit, Trx, Sarif }

public sealed record EvidenceFinding(string Level, string? RuleId, string? Message, string? Location);

public sealed record FindingCounts(int Error, int Warning, int Note, int None)
{
    public int Total => Error + Warning + Note + None;
}

public sealed record EvidenceSummary(EvidenceFormat Format, int Passed, int Failed, int Skipped, FindingCounts FindingCounts,
    IReadOnlyList<EvidenceFinding> Findings, string? Tool);
