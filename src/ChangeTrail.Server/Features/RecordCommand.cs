using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features;

/// <summary>
/// The one way a use case changes a versioned record other than a change request (a policy exception, a Standard template):
/// load it, let it decide, save it with its ledger entry and what it announces, and turn a lost race into a 409 or a retry. Two approvals arriving
/// together are both recorded; a transition racing another has one winner. Change requests have their own, with a timeline
/// (<see cref="ChangeCommand"/>).
/// </summary>
public sealed class RecordCommand(ChangeTrailDbContext db, Clock clock, Notifier notifier)
{
    private const int MaxAttempts = 5;

    /// <summary>
    /// Finds <paramref name="what"/> ("Policy exception EX-3") with <paramref name="find"/> (tracked), applies
    /// <paramref name="action"/> — the rule, returning the ledger action to record it under (<c>approved</c>, <c>revoked</c>)
    /// or the refusal — and saves both.
    /// </summary>
    public async Task<Result<T>> RunAsync<T>(string what, Func<ChangeTrailDbContext, Task<T?>> find, LedgerSubject<T> subject, Actor actor,
        Func<T, DateTime, Task<Result<string>>> action, OnConflict onConflict, CancellationToken cancellationToken) where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var record = await find(db);
            if (record is null)
                return new RecordNotFound(what);
            var now = clock.UtcNow;
            var applied = await action(record, now);
            if (!applied.IsSuccess)
                return applied.Error!;
            db.Record(subject, actor.Id, applied.Value!, record, now);
            await RecordNotifications.AddAsync(db, notifier, record, applied.Value!, now, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return record;
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                db.DiscardRecorded();
                if (onConflict == OnConflict.Refuse || attempt == MaxAttempts)
                    return new ConcurrencyConflict(what);
            }
        }
    }
}
