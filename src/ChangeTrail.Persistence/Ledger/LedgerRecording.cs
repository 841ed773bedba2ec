namespace ChangeTrail.Persistence.Ledger;

/// <summary>Queues an action on a subject of <see cref="LedgerSubjects"/> with the record's canonical JSON as it now stands.</summary>
public static class LedgerRecording
{
    public static void Record<T>(this ChangeTrailDbContext db, LedgerSubject<T> subject, Guid actorId, string action, T record, DateTime at) =>
        db.Record(subject.Action(actorId, action, record, at));
}
