namespace ChangeTrail.Domain.Evidence;

/// <summary>How many SARIF results a file holds at each level; all zero for test reports.</summary>
public sealed record FindingCounts(int Error, int Warning, int Note, int None)
{
    /// <summary>No findings at all: what every JUnit and TRX file has.</summary>
    public static readonly FindingCounts Zero = new(0, 0, 0, 0);

    /// <summary>Every result, whatever its level.</summary>
    public int Total => Error + Warning + Note + None;
}
