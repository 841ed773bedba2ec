using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Services;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// The canonical JSON of each kind of record, as the ledger stores it after every action. The same
/// function serves the append and, later, verification: a record's current state must serialise to
/// exactly its latest entry. Only fields that change through recorded actions belong here (a token's
/// last-use time, for instance, moves on every call and is left out).
/// </summary>
/// <remarks>
/// A field added to a kind of record changes the bytes of every record of that kind. Where older records must keep
/// their exact bytes, a new field is written only when it has a value (<see cref="JsonIgnoreCondition.WhenWritingNull"/>),
/// as a legal hold, an approval's credential and a temporary password are.
/// </remarks>
public static class CanonicalRecords
{
    public const string RetentionSettingId = "retention";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Of(ChangeRequest c) => JsonSerializer.Serialize(new ChangeRecord
    {
        Id = c.Id,
        Number = c.Number,
        Type = c.Type,
        State = c.State,
        RequestorId = c.RequestorId,
        Title = c.Title,
        Purpose = c.Purpose,
        Scope = c.Scope,
        ImpactAnalysis = c.ImpactAnalysis,
        RollbackPlan = c.RollbackPlan,
        TestPlan = c.TestPlan,
        TestResults = c.TestResults,
        PlannedStart = Instant(c.PlannedStart),
        PlannedEnd = Instant(c.PlannedEnd),
        Services = c.Services,
        RiskAnswers = c.RiskAnswers.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value),
        ImplementerId = c.ImplementerId,
        Commits = c.Commits.Select(x => new { x.Sha, x.AuthorEmail }),
        Links = c.Links,
        EmergencyJustification = c.EmergencyJustification,
        // The member names are those of the properties the change had before its risk became a value of its own.
        Risk = new
        {
            SecurityRisk = c.Risk.Security,
            AvailabilityRisk = c.Risk.Availability,
            OperationsRisk = c.Risk.Operations,
            OverallRisk = c.Risk.Overall,
            RiskQuestionnaireVersion = c.Risk.QuestionnaireVersion,
        },
        TouchesRegulatedDataOrSecurityControl = c.Risk.TouchesRegulatedDataOrSecurityControl,
        RequiredApprovals = c.Approvals.Required,
        Approvals = c.Approvals.Decisions.OrderBy(a => a.At).ThenBy(a => a.Id).Select(a => new ApprovalRecord(
            a.Id, a.ApproverId, a.Decision, a.Comment, a.FillableSlots, a.ContentHash, Instant(a.At), Instant(a.VoidedAt), a.Credential)),
        ContentHash = c.ContentHash,
        CreatedAt = Instant(c.CreatedAt),
        UpdatedAt = Instant(c.UpdatedAt),
        SubmittedAt = Instant(c.SubmittedAt),
        ApprovedAt = Instant(c.ApprovedAt),
        ImplementationStartedAt = Instant(c.ImplementationStartedAt),
        ImplementedAt = Instant(c.ImplementedAt),
        VerifiedAt = Instant(c.VerifiedAt),
        VerificationNotes = c.VerificationNotes,
        ClosedAt = Instant(c.ClosedAt),
        CancellationReason = c.CancellationReason,
        DocumentationDueAt = Instant(c.DocumentationDueAt),
        ReviewedById = c.ReviewedById,
        ReviewedAt = Instant(c.ReviewedAt),
        ReviewNotes = c.ReviewNotes,
        ReviewCredential = c.ReviewCredential,
        VerificationEvidenceId = c.VerificationEvidenceId,
        PipelineId = c.PipelineId,
        LegalHold = c.LegalHold is { } hold ? new { hold.Reason, hold.PlacedById, PlacedAt = Instant(hold.PlacedAt) } : null,
        ReviewDueAt = Instant(c.ReviewDueAt),
        DocumentedAt = Instant(c.DocumentedAt),
        ReviewOutcome = c.ReviewOutcome,
        ReviewRootCause = c.ReviewRootCause,
        ReviewFollowUps = c.ReviewFollowUps.Count == 0 ? null : c.ReviewFollowUps,
        TemplateId = c.TemplateId,
        Exceptions = c.Exceptions.Count == 0 ? null : c.Exceptions,
        Version = c.Version,
    }, Json);

    /// <summary>What an evidence file said, with the SHA-256 that binds the record to the stored file.</summary>
    public static string Of(TestEvidence e) => JsonSerializer.Serialize(new
    {
        e.Id,
        e.ChangeRequestId,
        e.Commit,
        e.Kind,
        e.Environment,
        e.Format,
        e.Sha256,
        e.FileName,
        e.SizeBytes,
        e.Tool,
        e.Passed,
        e.Failed,
        e.Skipped,
        Findings = new { Error = e.ErrorFindings, Warning = e.WarningFindings, Note = e.NoteFindings },
        e.Passes,
        e.UploadedById,
        UploadedAt = Instant(e.UploadedAt),
    }, Json);

    public static string Of(Deployment d) => JsonSerializer.Serialize(new
    {
        d.Id,
        d.ChangeRequestId,
        d.ServiceId,
        d.Environment,
        d.Production,
        d.Commit,
        d.Artifact,
        d.Status,
        d.GateDecisionId,
        d.PipelineUrl,
        d.ExitCode,
        d.DeployedById,
        StartedAt = Instant(d.StartedAt),
        FinishedAt = Instant(d.FinishedAt),
        d.Version,
    }, Json);

    /// <summary>The question as asked and the answer with every reason, and the reasons cited exceptions lifted where there are some.</summary>
    public static string Of(GateDecision d) => JsonSerializer.Serialize(new GateRecord(
        d.Id,
        d.ChangeRequestId,
        d.ChangeReference,
        d.ServiceId,
        d.Service,
        d.Environment,
        d.Production,
        d.Commit,
        d.Artifact,
        d.Allowed ? "allow" : "deny",
        d.Reasons.Select(r => new { r.Code, r.Message }),
        d.AskedById,
        d.Credential,
        Instant(d.At),
        d.Waivers.Count == 0 ? null : d.Waivers.Select(w => new { w.Code, w.Message, w.Exception })), Json);

    private sealed record GateRecord(
        Guid Id,
        Guid? ChangeRequestId,
        string ChangeReference,
        Guid? ServiceId,
        string Service,
        string Environment,
        bool Production,
        string Commit,
        string? Artifact,
        string Decision,
        IEnumerable<object> Reasons,
        Guid AskedById,
        string? Credential,
        string? At,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IEnumerable<object>? Waived);

    /// <summary>A Standard template as written, every approval round's decisions, its approval's expiry, and its retirement.</summary>
    public static string Of(ChangeTemplate t) => JsonSerializer.Serialize(new
    {
        t.Id,
        t.Name,
        t.Title,
        t.Description,
        Services = t.Services.Order().ToList(),
        t.Environments,
        t.Purpose,
        t.Scope,
        t.ImpactAnalysis,
        t.RollbackPlan,
        t.TestPlan,
        RiskAnswers = t.RiskAnswers.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(),
        t.AuthorId,
        FormerAuthors = t.FormerAuthors.ToList(),
        CreatedAt = Instant(t.CreatedAt),
        t.State,
        t.Round,
        t.RequiredApprovals,
        Decisions = t.Decisions.Select(d => new { d.Round, d.ApproverId, d.Decision, d.Comment, d.Fillable, At = Instant(d.At), d.Credential }),
        SubmittedAt = Instant(t.SubmittedAt),
        ApprovedAt = Instant(t.ApprovedAt),
        ExpiresAt = Instant(t.ExpiresAt),
        t.RetiredById,
        RetiredAt = Instant(t.RetiredAt),
        t.RetirementReason,
        t.Version,
    }, Json);

    /// <summary>A version of the policy: its text's SHA-256 (the text itself is on the record; the log proves it unchanged), its sign-offs and state.</summary>
    public static string Of(PolicyVersion v) => JsonSerializer.Serialize(new
    {
        v.Id,
        v.Number,
        TextSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(v.Text))),
        v.Summary,
        v.ProposedById,
        ProposedAt = Instant(v.ProposedAt),
        v.State,
        Decisions = v.Decisions.Select(d => new { d.ApproverId, d.Decision, d.Comment, d.Fillable, At = Instant(d.At), d.Credential }),
        DecidedAt = Instant(v.DecidedAt),
        SupersededAt = Instant(v.SupersededAt),
        v.Version,
    }, Json);

    public static string Of(PolicyReview r) => JsonSerializer.Serialize(new
    {
        r.Id,
        r.ReviewedById,
        ReviewedAt = Instant(r.ReviewedAt),
        r.PolicyVersionId,
        r.Outcome,
        r.Notes,
    }, Json);

    /// <summary>An exception as asked for, every sign-off on it, and its end if it was revoked.</summary>
    public static string Of(PolicyException e) => JsonSerializer.Serialize(new
    {
        e.Id,
        e.Number,
        e.Title,
        e.PolicyClause,
        e.Description,
        e.RiskAssessment,
        e.CompensatingControls,
        ExpiresAt = Instant(e.ExpiresAt),
        e.RequestedById,
        CreatedAt = Instant(e.CreatedAt),
        e.State,
        Decisions = e.Decisions.Select(d => new { d.ApproverId, d.Decision, d.Comment, d.Fillable, At = Instant(d.At), d.Credential }),
        DecidedAt = Instant(e.DecidedAt),
        e.RevokedById,
        RevokedAt = Instant(e.RevokedAt),
        e.RevocationReason,
        e.Version,
    }, Json);

    /// <summary>A change request's record, member by member in the order its entries hold them.</summary>
    private sealed class ChangeRecord
    {
        public Guid Id { get; init; }
        public long Number { get; init; }
        public ChangeType Type { get; init; }
        public ChangeState State { get; init; }
        public Guid RequestorId { get; init; }
        public required string Title { get; init; }
        public string? Purpose { get; init; }
        public string? Scope { get; init; }
        public string? ImpactAnalysis { get; init; }
        public string? RollbackPlan { get; init; }
        public string? TestPlan { get; init; }
        public string? TestResults { get; init; }
        public string? PlannedStart { get; init; }
        public string? PlannedEnd { get; init; }
        public required List<Guid> Services { get; init; }
        public required Dictionary<string, string> RiskAnswers { get; init; }
        public Guid? ImplementerId { get; init; }
        public required object Commits { get; init; }
        public required List<string> Links { get; init; }
        public string? EmergencyJustification { get; init; }
        public required object Risk { get; init; }
        public bool TouchesRegulatedDataOrSecurityControl { get; init; }
        public required IReadOnlyList<ApprovalSlot> RequiredApprovals { get; init; }
        public required IEnumerable<ApprovalRecord> Approvals { get; init; }
        public required string ContentHash { get; init; }
        public string? CreatedAt { get; init; }
        public string? UpdatedAt { get; init; }
        public string? SubmittedAt { get; init; }
        public string? ApprovedAt { get; init; }
        public string? ImplementationStartedAt { get; init; }
        public string? ImplementedAt { get; init; }
        public string? VerifiedAt { get; init; }
        public string? VerificationNotes { get; init; }
        public string? ClosedAt { get; init; }
        public string? CancellationReason { get; init; }
        public string? DocumentationDueAt { get; init; }
        public Guid? ReviewedById { get; init; }
        public string? ReviewedAt { get; init; }
        public string? ReviewNotes { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? ReviewCredential { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Guid? VerificationEvidenceId { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Guid? PipelineId { get; init; }

        /// <summary>Present only while a hold is on.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public object? LegalHold { get; init; }

        /// <summary>An emergency's review deadline, write-up time and structured review, present once they exist.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? ReviewDueAt { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? DocumentedAt { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public ReviewOutcome? ReviewOutcome { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? ReviewRootCause { get; init; }

        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public List<string>? ReviewFollowUps { get; init; }

        /// <summary>A Standard change's template, present only on one.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public Guid? TemplateId { get; init; }

        /// <summary>The policy exceptions cited, present only when there are some.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public List<Guid>? Exceptions { get; init; }

        public int Version { get; init; }
    }

    /// <summary>An approval as its change's record holds it; the credential only where one was recorded.</summary>
    private sealed record ApprovalRecord(
        Guid Id,
        Guid ApproverId,
        ApprovalDecision Decision,
        string? Comment,
        List<ApprovalSlot> FillableSlots,
        string ContentHash,
        string? At,
        string? VoidedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential);

    /// <summary>A person or service account, with roles sorted; people are referenced by id elsewhere in the log.</summary>
    public static string Of(AppUser u, IEnumerable<string> roles) => JsonSerializer.Serialize(new UserRecord(
        u.Id,
        u.UserName,
        u.Email,
        u.DisplayName,
        u.IsServiceAccount,
        roles.Order(StringComparer.Ordinal),
        Instant(u.CreatedAt),
        Instant(u.DeactivatedAt),
        u.MustChangePassword ? true : null), Json);

    private sealed record UserRecord(
        Guid Id,
        string? UserName,
        string? Email,
        string DisplayName,
        bool IsServiceAccount,
        IEnumerable<string> Roles,
        string? CreatedAt,
        string? DeactivatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? MustChangePassword);

    /// <summary>
    /// A token, with the SHA-256 of its stored secret hash: a hash swapped in the database (to let another secret in)
    /// no longer matches the token's latest entry. The stored hash itself stays out of the log.
    /// </summary>
    public static string Of(ApiToken t) => JsonSerializer.Serialize(new
    {
        t.Id,
        t.OwnerId,
        t.Name,
        t.Prefix,
        Scopes = t.Scopes.Order(StringComparer.Ordinal),
        t.CreatedById,
        t.CreatedWithTokenId,
        t.PersonallyIssued,
        CreatedAt = Instant(t.CreatedAt),
        ExpiresAt = Instant(t.ExpiresAt),
        RevokedAt = Instant(t.RevokedAt),
        SecretHash = SecretHashDigest(t.TokenHash),
    }, Json);

    /// <summary>The member of a token's record that vouches for its stored secret hash; records written before it lack it.</summary>
    public const string TokenSecretHashMember = "secretHash";

    private static string SecretHashDigest(string tokenHash) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tokenHash)));

    public static string Of(Service s) => JsonSerializer.Serialize(new
    {
        s.Id,
        s.Name,
        s.Repository,
        s.RegulatedData,
        s.SecurityControl,
        Environments = s.Environments.Select(e => new { e.Name, e.Production }),
        CreatedAt = Instant(s.CreatedAt),
    }, Json);

    /// <summary>A freeze as defined, and once lifted, who lifted it and when.</summary>
    public static string Of(FreezeWindow f) => JsonSerializer.Serialize(new
    {
        f.Id,
        f.Name,
        Start = Instant(f.Start),
        End = Instant(f.End),
        f.Services,
        f.Recurrence,
        f.CreatedById,
        CreatedAt = Instant(f.CreatedAt),
        f.LiftedById,
        LiftedAt = Instant(f.LiftedAt),
    }, Json);

    public static string Of(RetentionSetting r) => JsonSerializer.Serialize(new
    {
        r.Months,
        r.ChangedById,
        ChangedAt = Instant(r.ChangedAt),
    }, Json);

    public static string Of(SessionEvent e) => JsonSerializer.Serialize(e, Json);

    public static string Of(SignInAttemptEvent e) => JsonSerializer.Serialize(e, Json);

    /// <summary>UTC with microseconds: the precision both databases keep, so a value serialises the same after a round trip.</summary>
    private static string? Instant(DateTime? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
}
