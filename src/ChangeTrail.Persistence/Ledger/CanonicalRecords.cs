using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// The canonical JSON of each kind of record, as the ledger stores it after every action. The same
/// function serves the append and, later, verification: a record's current state must serialise to
/// exactly its latest entry. Only fields that change through recorded actions belong here (a token's
/// last-use time, for instance, moves on every call and is left out).
/// </summary>
public static class CanonicalRecords
{
    public const string ChangeRequestType = "ChangeRequest";
    public const string UserType = "User";
    public const string TokenType = "ApiToken";
    public const string ServiceType = "Service";
    public const string SettingType = "Setting";
    public const string RetentionSettingId = "retention";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Of(ChangeRequest c)
    {
        // The hold is present only while one is on, so that records written before legal holds existed keep their
        // exact bytes; every other save serialises straight to text.
        if (!c.IsUnderLegalHold)
            return JsonSerializer.Serialize(Fields(c), Json);
        var record = JsonSerializer.SerializeToNode(Fields(c), Json)!.AsObject();
        record.Insert(record.Count - 1, "legalHold", JsonSerializer.SerializeToNode(new
        {
            Reason = c.LegalHoldReason,
            PlacedById = c.LegalHoldPlacedById,
            PlacedAt = Instant(c.LegalHoldPlacedAt),
        }, Json));
        return record.ToJsonString(Json);
    }

    private static object Fields(ChangeRequest c) => new
    {
        c.Id,
        c.Number,
        c.Type,
        c.State,
        c.RequestorId,
        c.Title,
        c.Purpose,
        c.Scope,
        c.ImpactAnalysis,
        c.RollbackPlan,
        c.TestPlan,
        c.TestResults,
        PlannedStart = Instant(c.PlannedStart),
        PlannedEnd = Instant(c.PlannedEnd),
        c.Services,
        RiskAnswers = c.RiskAnswers.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value),
        c.ImplementerId,
        Commits = c.Commits.Select(x => new { x.Sha, x.AuthorEmail }),
        c.Links,
        c.EmergencyJustification,
        Risk = new { c.SecurityRisk, c.AvailabilityRisk, c.OperationsRisk, c.OverallRisk, c.RiskQuestionnaireVersion },
        c.TouchesRegulatedDataOrSecurityControl,
        c.RequiredApprovals,
        Approvals = c.Approvals.OrderBy(a => a.At).ThenBy(a => a.Id).Select(a => new
        {
            a.Id,
            a.ApproverId,
            a.Decision,
            a.Comment,
            a.FillableSlots,
            a.ContentHash,
            At = Instant(a.At),
            VoidedAt = Instant(a.VoidedAt),
        }),
        c.ContentHash,
        CreatedAt = Instant(c.CreatedAt),
        UpdatedAt = Instant(c.UpdatedAt),
        SubmittedAt = Instant(c.SubmittedAt),
        ApprovedAt = Instant(c.ApprovedAt),
        ImplementationStartedAt = Instant(c.ImplementationStartedAt),
        ImplementedAt = Instant(c.ImplementedAt),
        VerifiedAt = Instant(c.VerifiedAt),
        c.VerificationNotes,
        ClosedAt = Instant(c.ClosedAt),
        c.CancellationReason,
        DocumentationDueAt = Instant(c.DocumentationDueAt),
        c.ReviewedById,
        ReviewedAt = Instant(c.ReviewedAt),
        c.ReviewNotes,
        c.Version,
    };

    /// <summary>A person or service account, with roles sorted; people are referenced by id elsewhere in the log.</summary>
    public static string Of(AppUser u, IEnumerable<string> roles) => JsonSerializer.Serialize(new
    {
        u.Id,
        u.UserName,
        u.Email,
        u.DisplayName,
        u.IsServiceAccount,
        Roles = roles.Order(StringComparer.Ordinal),
        CreatedAt = Instant(u.CreatedAt),
        DeactivatedAt = Instant(u.DeactivatedAt),
    }, Json);

    public static string Of(ApiToken t) => JsonSerializer.Serialize(new
    {
        t.Id,
        t.OwnerId,
        t.Name,
        t.Prefix,
        Scopes = t.Scopes.Order(StringComparer.Ordinal),
        t.CreatedById,
        CreatedAt = Instant(t.CreatedAt),
        ExpiresAt = Instant(t.ExpiresAt),
        RevokedAt = Instant(t.RevokedAt),
    }, Json);

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

    public static string Of(RetentionSetting r) => JsonSerializer.Serialize(new
    {
        r.Months,
        r.ChangedById,
        ChangedAt = Instant(r.ChangedAt),
    }, Json);

    /// <summary>UTC with microseconds: the precision both databases keep, so a value serialises the same after a round trip.</summary>
    private static string? Instant(DateTime? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
}
