using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>One call per kind of record: queue the action with the record's canonical JSON as it now stands.</summary>
public static class LedgerRecording
{
    public static void RecordChange(this ChangeTrailDbContext db, Guid actorId, string action, ChangeRequest change, DateTime at) =>
        db.Record(new LedgerAction(at, actorId, $"change.{action}", CanonicalRecords.ChangeRequestType, change.Id.ToString(), CanonicalRecords.Of(change)));

    public static void RecordUser(this ChangeTrailDbContext db, Guid actorId, string action, AppUser user, IEnumerable<string> roles, DateTime at) =>
        db.Record(new LedgerAction(at, actorId, $"user.{action}", CanonicalRecords.UserType, user.Id.ToString(), CanonicalRecords.Of(user, roles)));

    public static void RecordToken(this ChangeTrailDbContext db, Guid actorId, string action, ApiToken token, DateTime at) =>
        db.Record(new LedgerAction(at, actorId, $"token.{action}", CanonicalRecords.TokenType, token.Id.ToString(), CanonicalRecords.Of(token)));

    public static void RecordRetention(this ChangeTrailDbContext db, Guid actorId, RetentionSetting setting) =>
        db.Record(new LedgerAction(setting.ChangedAt, actorId, "settings.retention-changed", CanonicalRecords.SettingType,
            CanonicalRecords.RetentionSettingId, CanonicalRecords.Of(setting)));

    public static void RecordService(this ChangeTrailDbContext db, Guid actorId, string action, Service service, DateTime at) =>
        db.Record(new LedgerAction(at, actorId, $"service.{action}", CanonicalRecords.ServiceType, service.Id.ToString(), CanonicalRecords.Of(service)));
}
