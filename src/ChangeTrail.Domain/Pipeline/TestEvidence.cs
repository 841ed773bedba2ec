using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Evidence;

namespace ChangeTrail.Domain.Pipeline;

/// <summary>
/// A test-result file a pipeline uploaded (policy 3.4), bound to a commit and, when given, to a change and an environment.
/// The file itself is stored by its SHA-256; this record keeps what it says, so the gate reads counts, not files.
/// A record of its own that references the change (ARCHITECTURE.md), never a list inside it.
/// </summary>
public sealed class TestEvidence
{
    public const int FileNameMaxLength = 255;
    public const int ToolMaxLength = 200;

    private TestEvidence() { }

    public Guid Id { get; private set; }
    public Guid? ChangeRequestId { get; private set; }
    public string Commit { get; private set; } = "";

    /// <summary>The commit's lookup key (<see cref="CommitRef.KeyOf"/>).</summary>
    public string CommitKey { get; private set; } = "";
    public EvidenceKind Kind { get; private set; }
    public string? Environment { get; private set; }
    public EvidenceFormat Format { get; private set; }
    public string Sha256 { get; private set; } = "";
    public string FileName { get; private set; } = "";
    public long SizeBytes { get; private set; }
    public string? Tool { get; private set; }
    public int Passed { get; private set; }
    public int Failed { get; private set; }
    public int Skipped { get; private set; }
    public int ErrorFindings { get; private set; }
    public int WarningFindings { get; private set; }
    public int NoteFindings { get; private set; }

    /// <summary>The first findings of a SARIF file, in file order, so a reader sees what failed without downloading it.</summary>
    public List<EvidenceFinding> Findings { get; private set; } = [];

    /// <summary>Whether the suite passed under the settings in force when it was uploaded; the gate reads this.</summary>
    public bool Passes { get; private set; }

    public Guid UploadedById { get; private set; }
    public DateTime UploadedAt { get; private set; }

    public FindingCounts FindingCounts => new(ErrorFindings, WarningFindings, NoteFindings, 0);

    /// <summary>
    /// The record of a parsed file. A test report passes when it ran at least one test and none failed; a SARIF file
    /// passes when it has no finding at or above <paramref name="failLevel"/> (policy 3.4's security suite).
    /// </summary>
    public static Result<TestEvidence> Record(Guid id, Guid? changeRequestId, string commit, EvidenceKind kind, string? environment,
        string fileName, long sizeBytes, string sha256, EvidenceSummary summary, FindingLevel failLevel, Guid uploadedById, DateTime now)
    {
        var errors = new ValidationErrors();
        CommitRef.Validate(errors, "commit", commit);
        errors.MaxLength("environment", environment, Services.Service.NameMaxLength);
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;

        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        return new TestEvidence
        {
            Id = id,
            ChangeRequestId = changeRequestId,
            Commit = commit.ToLowerInvariant(),
            CommitKey = CommitRef.KeyOf(commit),
            Kind = kind,
            Environment = string.IsNullOrWhiteSpace(environment) ? null : environment.Trim(),
            Format = summary.Format,
            Sha256 = sha256,
            FileName = name.Length > FileNameMaxLength ? name[..FileNameMaxLength] : name,
            SizeBytes = sizeBytes,
            Tool = summary.Tool is { Length: > ToolMaxLength } tool ? tool[..ToolMaxLength] : summary.Tool,
            Passed = summary.Passed,
            Failed = summary.Failed,
            Skipped = summary.Skipped,
            ErrorFindings = summary.FindingCounts.Error,
            WarningFindings = summary.FindingCounts.Warning,
            NoteFindings = summary.FindingCounts.Note,
            Findings = summary.Findings.ToList(),
            Passes = PassesUnder(summary, failLevel),
            UploadedById = uploadedById,
            UploadedAt = now,
        };
    }

    private static bool PassesUnder(EvidenceSummary summary, FindingLevel failLevel) => summary.Format switch
    {
        EvidenceFormat.Sarif => failLevel switch
        {
            FindingLevel.Error => summary.FindingCounts.Error == 0,
            FindingLevel.Warning => summary.FindingCounts.Error + summary.FindingCounts.Warning == 0,
            _ => summary.FindingCounts.Error + summary.FindingCounts.Warning + summary.FindingCounts.Note == 0,
        },
        // A report of no test at all proves nothing was tested.
        _ => summary.Failed == 0 && summary.Passed > 0,
    };
}

/// <summary>The lowest SARIF level that fails a security suite (<c>ChangeTrail:Evidence:SecurityFailLevel</c>).</summary>
public enum FindingLevel
{
    Error,
    Warning,
    Note,
}
