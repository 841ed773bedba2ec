using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Risk;

namespace ChangeTrail.Domain.Changes;

/// <summary>
/// What a requestor writes in a change request: the documentation policy 3.2 asks for. Approvals
/// are bound to a hash of it, so any edit voids them.
/// </summary>
public sealed record ChangeContent(
    string Title,
    string? Purpose,
    string? Scope,
    string? ImpactAnalysis,
    string? RollbackPlan,
    string? TestPlan,
    string? TestResults,
    DateTime? PlannedStart,
    DateTime? PlannedEnd,
    IReadOnlyList<Guid> Services,
    IReadOnlyDictionary<string, string> RiskAnswers,
    Guid? ImplementerId,
    IReadOnlyList<CommitRef> Commits,
    IReadOnlyList<string> Links,
    string? EmergencyJustification,
    IReadOnlyList<Guid> Exceptions)
{
    public const int TitleMaxLength = 200;

    /// <summary>Every long text: the policy 3.2 fields, the emergency justification, and the notes and reasons of the lifecycle.</summary>
    public const int TextMaxLength = 20_000;

    /// <summary>Services, commits and links a change may list; every later ledger entry of the change carries them all.</summary>
    public const int MaxServices = 50;
    public const int MaxCommits = 200;
    public const int MaxLinks = 50;
    public const int LinkMaxLength = 2_000;

    /// <summary>Policy exceptions a change may cite: one per control an exception can waive is plenty.</summary>
    public const int MaxExceptions = 10;

    /// <summary>
    /// The canonical form: a trimmed title and instants at the microsecond precision both databases keep,
    /// so the same content hashes the same before and after a round trip through storage.
    /// </summary>
    public ChangeContent Normalized() => this with
    {
        Title = Title.Trim(),
        PlannedStart = Microseconds(PlannedStart),
        PlannedEnd = Microseconds(PlannedEnd),
    };

    private static DateTime? Microseconds(DateTime? value) =>
        value is { } v ? new DateTime(v.Ticks - v.Ticks % 10, DateTimeKind.Utc) : null;

    /// <summary>Shape rules that hold in every state: lengths and counts (docs/api.md, "Limits"), the window's order, commit and link syntax.</summary>
    public void Validate(ValidationErrors errors)
    {
        errors.Require("title", Title, TitleMaxLength);
        foreach (var (field, value) in Texts)
            errors.MaxLength(field, value, TextMaxLength);
        errors.MaxLength("emergencyJustification", EmergencyJustification, TextMaxLength);
        if (PlannedStart is { } start && PlannedEnd is { } end && end <= start)
            errors.Add("plannedEnd", "The planned end must be after the planned start.");
        if (Services.Count > MaxServices)
            errors.Add("services", $"At most {MaxServices} services.");
        else if (Services.Distinct().Count() != Services.Count)
            errors.Add("services", "A service is listed twice.");
        // Over the limit the list is refused as a whole: one error, not one per element.
        if (Commits.Count > MaxCommits)
            errors.Add("commits", $"At most {MaxCommits} commits.");
        else
        {
            for (var i = 0; i < Commits.Count; i++)
            {
                CommitRef.Validate(errors, $"commits[{i}].sha", Commits[i].Sha);
                errors.MaxLength($"commits[{i}].authorEmail", Commits[i].AuthorEmail, CommitRef.AuthorEmailMaxLength);
            }
        }
        if (Exceptions.Count > MaxExceptions)
            errors.Add("exceptions", $"At most {MaxExceptions} exceptions.");
        else if (Exceptions.Distinct().Count() != Exceptions.Count)
            errors.Add("exceptions", "An exception is cited twice.");
        if (Links.Count > MaxLinks)
            errors.Add("links", $"At most {MaxLinks} links.");
        else
        {
            for (var i = 0; i < Links.Count; i++)
            {
                if (Links[i] is { Length: > LinkMaxLength })
                    errors.Add($"links[{i}]", $"At most {LinkMaxLength} characters.");
                else if (!Uri.TryCreate(Links[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                    errors.Add($"links[{i}]", "A link is an absolute http(s) URL.");
            }
        }
    }

    /// <summary>Policy 3.2: purpose, scope, impact analysis, rollback plan, test results, timeline and a complete risk assessment.</summary>
    public IReadOnlyList<string> MissingRequiredFields(RiskQuestionnaire questionnaire)
    {
        var missing = Texts.Where(t => string.IsNullOrWhiteSpace(t.Value)).Select(t => t.Field).ToList();
        if (PlannedStart is null)
            missing.Add("plannedStart");
        if (PlannedEnd is null)
            missing.Add("plannedEnd");
        if (Services.Count == 0)
            missing.Add("services");
        missing.AddRange(questionnaire.Unanswered(RiskAnswers).Select(key => $"riskAnswers.{key}"));
        return missing;
    }

    private IEnumerable<(string Field, string? Value)> Texts =>
    [
        ("purpose", Purpose), ("scope", Scope), ("impactAnalysis", ImpactAnalysis),
        ("rollbackPlan", RollbackPlan), ("testPlan", TestPlan), ("testResults", TestResults),
    ];

    /// <summary>
    /// SHA-256 of a canonical serialisation; approvals record it to show what they approved. Citing an exception changes what
    /// is approved, so the cited exceptions are part of it — written only when there are some, so content from before
    /// exceptions existed hashes as it always did.
    /// </summary>
    public string Hash()
    {
        var canonical = JsonSerializer.Serialize(new HashedContent(
            Title,
            Purpose,
            Scope,
            ImpactAnalysis,
            RollbackPlan,
            TestPlan,
            TestResults,
            PlannedStart?.ToString("O"),
            PlannedEnd?.ToString("O"),
            Services.Order().ToList(),
            RiskAnswers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new[] { a.Key, a.Value }).ToList(),
            ImplementerId,
            Commits,
            Links,
            EmergencyJustification,
            Exceptions.Count == 0 ? null : Exceptions.Order().ToList()));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private sealed record HashedContent(
        string Title,
        string? Purpose,
        string? Scope,
        string? ImpactAnalysis,
        string? RollbackPlan,
        string? TestPlan,
        string? TestResults,
        string? PlannedStart,
        string? PlannedEnd,
        List<Guid> Services,
        List<string[]> RiskAnswers,
        Guid? ImplementerId,
        IReadOnlyList<CommitRef> Commits,
        IReadOnlyList<string> Links,
        string? EmergencyJustification,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<Guid>? Exceptions);
}
