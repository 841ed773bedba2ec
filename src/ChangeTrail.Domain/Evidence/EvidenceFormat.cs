namespace ChangeTrail.Domain.Evidence;

/// <summary>The test-evidence formats the server accepts, detected from a file's content, never from its name.</summary>
public enum EvidenceFormat
{
    /// <summary>JUnit XML, in any of the dialects real tools write (Surefire, pytest, jest-junit, node, Go, Gradle).</summary>
    JUnit,
    /// <summary>Visual Studio test results, as <c>dotnet test</c> writes them.</summary>
    Trx,
    /// <summary>SARIF 2.1.0 static-analysis results (CodeQL, ESLint, Semgrep).</summary>
    Sarif,
}
