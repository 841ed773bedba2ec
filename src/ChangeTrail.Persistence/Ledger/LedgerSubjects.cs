using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Services;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// One kind of subject the ledger records: the subject type its entries name, the prefix of their actions, and how its
/// current records are read back. Recording, <c>/ledger/records</c>, the export and the purge all go through
/// <see cref="LedgerSubjects"/>, so a new kind of record is one entry there.
/// </summary>
public abstract class LedgerSubject(string type, string actionPrefix)
{
    public string Type { get; } = type;

    /// <summary>The action as entries name it: <c>change.approved</c>, <c>token.created</c>.</summary>
    public string ActionName(string action) => $"{actionPrefix}.{action}";

    /// <summary>Whether its subjects exist now (see <see cref="LedgerSubjectTypes.HasCurrentRecord"/>), or are events.</summary>
    public bool HasCurrentRecords => LedgerSubjectTypes.HasCurrentRecord(Type);

    /// <summary>The current records after <paramref name="afterId"/> (null: from the first), at most <paramref name="take"/>, in id order.</summary>
    public abstract Task<IReadOnlyList<CurrentRecord>> CurrentAsync(ChangeTrailDbContext db, string? afterId, int take,
        CancellationToken cancellationToken);
}

/// <summary>A kind of subject whose records are <typeparamref name="T"/>: how each is named and serialised into its entries.</summary>
public sealed class LedgerSubject<T>(
    string type,
    string actionPrefix,
    Func<T, string> idOf,
    Func<T, string> canonical,
    Func<ChangeTrailDbContext, string?, int, CancellationToken, Task<List<T>>>? current = null) : LedgerSubject(type, actionPrefix)
{
    /// <summary>The record's canonical JSON, as its entries hold it and verification recomputes it.</summary>
    public string Canonical(T record) => canonical(record);

    /// <summary>The action to append: <paramref name="record"/> as it stands after <paramref name="action"/>.</summary>
    public LedgerAction Action(Guid actorId, string action, T record, DateTime at) =>
        new(at, actorId, ActionName(action), Type, idOf(record), canonical(record));

    public override async Task<IReadOnlyList<CurrentRecord>> CurrentAsync(ChangeTrailDbContext db, string? afterId, int take,
        CancellationToken cancellationToken) =>
        current is null
            ? []
            : (await current(db, afterId, take, cancellationToken)).Select(r => new CurrentRecord(Type, idOf(r), canonical(r))).ToList();
}

/// <summary>A record as it stands now, serialised as its entries serialise it.</summary>
public sealed record CurrentRecord(string SubjectType, string SubjectId, string Record);

/// <summary>A person or service account with the roles its record lists.</summary>
public sealed record UserWithRoles(AppUser User, IEnumerable<string> Roles);

/// <summary>The registry of everything the ledger records, in the order <c>/ledger/records</c> lists it.</summary>
public static class LedgerSubjects
{
    public static readonly LedgerSubject<ChangeRequest> ChangeRequest = new(LedgerSubjectTypes.ChangeRequest, "change",
        c => c.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.ChangeRequests, after, take, ct));

    public static readonly LedgerSubject<UserWithRoles> User = new(LedgerSubjectTypes.User, "user",
        u => u.User.Id.ToString(), u => CanonicalRecords.Of(u.User, u.Roles), UsersAsync);

    public static readonly LedgerSubject<ApiToken> ApiToken = new(LedgerSubjectTypes.ApiToken, "token",
        t => t.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.ApiTokens, after, take, ct));

    public static readonly LedgerSubject<Service> Service = new(LedgerSubjectTypes.Service, "service",
        s => s.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.Services, after, take, ct));

    /// <summary>The settings an Admin changes on the record; one row each, so they are listed whole.</summary>
    public static readonly LedgerSubject<RetentionSetting> Setting = new(LedgerSubjectTypes.Setting, "settings",
        _ => CanonicalRecords.RetentionSettingId, CanonicalRecords.Of, SettingsAsync);

    public static readonly LedgerSubject<TestEvidence> Evidence = new(LedgerSubjectTypes.Evidence, "evidence",
        e => e.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.Evidence, after, take, ct));

    public static readonly LedgerSubject<Deployment> Deployment = new(LedgerSubjectTypes.Deployment, "deployment",
        d => d.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.Deployments, after, take, ct));

    /// <summary>Every question put to the gate and its answer, so an auditor can replay each.</summary>
    public static readonly LedgerSubject<GateDecision> GateDecision = new(LedgerSubjectTypes.GateDecision, "gate",
        d => d.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.GateDecisions, after, take, ct));

    public static readonly LedgerSubject<FreezeWindow> FreezeWindow = new(LedgerSubjectTypes.FreezeWindow, "freeze",
        f => f.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.FreezeWindows, after, take, ct));

    /// <summary>Policy exceptions (policy 5): asked for, each sign-off, and a revocation.</summary>
    public static readonly LedgerSubject<PolicyException> PolicyException = new(LedgerSubjectTypes.PolicyException, "exception",
        e => e.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.PolicyExceptions, after, take, ct));

    /// <summary>Standard change templates (policy 3.1): written, submitted, each approval, published, retired.</summary>
    public static readonly LedgerSubject<ChangeTemplate> ChangeTemplate = new(LedgerSubjectTypes.ChangeTemplate, "template",
        t => t.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.ChangeTemplates, after, take, ct));

    /// <summary>The policy's versions (policy 6): proposed, each sign-off, in force, superseded.</summary>
    public static readonly LedgerSubject<PolicyVersion> PolicyVersion = new(LedgerSubjectTypes.PolicyVersion, "policy-version",
        v => v.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.PolicyVersions, after, take, ct));

    /// <summary>Each review of the policy (policy 6).</summary>
    public static readonly LedgerSubject<PolicyReview> PolicyReview = new(LedgerSubjectTypes.PolicyReview, "policy-review",
        r => r.Id.ToString(), CanonicalRecords.Of, (db, after, take, ct) => ByIdAsync(db.PolicyReviews, after, take, ct));

    public static readonly LedgerSubject<SessionEvent> Session = new(LedgerSubjectTypes.Session, "session",
        e => e.SessionId, CanonicalRecords.Of);

    public static readonly LedgerSubject<SignInAttemptEvent> SignInAttempt = new(LedgerSubjectTypes.SignInAttempt, "sign-in",
        e => e.SubjectId, CanonicalRecords.Of);

    public static readonly IReadOnlyList<LedgerSubject> All = [ChangeRequest, User, ApiToken, Service, Setting, Evidence, Deployment, GateDecision, FreezeWindow, PolicyException, ChangeTemplate, PolicyVersion, PolicyReview, Session,
        SignInAttempt];

    public static LedgerSubject? Find(string type) => All.FirstOrDefault(s => s.Type == type);

    /// <summary>Records keyed by a GUID <c>Id</c>, paged in the database's own order of that key.</summary>
    private static Task<List<T>> ByIdAsync<T>(DbSet<T> set, string? after, int take, CancellationToken cancellationToken) where T : class
    {
        var query = set.AsNoTracking();
        if (after is not null)
        {
            var afterId = Guid.Parse(after);
            query = query.Where(r => EF.Property<Guid>(r, "Id").CompareTo(afterId) > 0);
        }
        return query.OrderBy(r => EF.Property<Guid>(r, "Id")).Take(take).ToListAsync(cancellationToken);
    }

    private static async Task<List<UserWithRoles>> UsersAsync(ChangeTrailDbContext db, string? after, int take, CancellationToken cancellationToken)
    {
        var users = await ByIdAsync(db.Users, after, take, cancellationToken);
        var ids = users.Select(u => u.Id).ToList();
        var roles = (await db.UserRoles.AsNoTracking().Where(ur => ids.Contains(ur.UserId))
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(x => x.UserId, x => x.Name!);
        return users.Select(u => new UserWithRoles(u, roles[u.Id])).ToList();
    }

    private static async Task<List<RetentionSetting>> SettingsAsync(ChangeTrailDbContext db, string? after, int take,
        CancellationToken cancellationToken) =>
        after is null ? await db.RetentionSettings.AsNoTracking().Take(take).ToListAsync(cancellationToken) : [];
}
