using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.PolicyExceptions;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// What a new freeze announces: to the people of each change already submitted whose planned window it falls on. Their
/// change passed the freeze check when it was submitted, and the gate will now deny its production deployment during the
/// freeze; told at once, they can move the window or ask for an exception, instead of finding out from a red pipeline.
/// Queued with the freeze's own save.
/// </summary>
public static class FreezeNotifications
{
    public static async Task AddAsync(ChangeTrailDbContext db, Notifier notifier, FreezeWindow freeze, DateTime now, CancellationToken cancellationToken)
    {
        if (notifier.IsOff)
            return;
        // Narrowed by date in the database (every occurrence starts at or after the first; a one-off ends with it), by service
        // and exception in the domain's own rule.
        var candidates = db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes()
            .Where(c => c.Type != ChangeType.Emergency
                && (c.State == ChangeState.Submitted || c.State == ChangeState.Approved || c.State == ChangeState.Implementing)
                && c.PlannedEnd > freeze.Start && c.PlannedEnd > now);
        if (freeze.Recurrence is null)
            candidates = candidates.Where(c => c.PlannedStart < freeze.End);
        var changes = await candidates.OrderBy(c => c.PlannedStart).ThenBy(c => c.Number).ToListAsync(cancellationToken);
        if (changes.Count == 0)
            return;

        var calendar = new FreezeCalendar([freeze]);
        var exceptions = await ExceptionRegisters.InForceAsync(db, now, cancellationToken);
        foreach (var change in changes)
        {
            if (change.FrozenBy(calendar, exceptions, now) is not { } covered)
                continue;
            var text = $"{change.DisplayNumber} \"{change.Title}\" is planned in {covered.Describe()}, defined since it was " +
                "submitted: its production deployment will be denied during the freeze. Move the window, or cite an approved " +
                "exception to the freeze-window control.";
            await notifier.AddAsync(db, WorkflowNotification.FreezeCoversChange, text, ChangeNotifications.Subject(change), now,
                covered.Occurrence.Start, NotificationAudience.For(WorkflowNotification.FreezeCoversChange, change), cancellationToken);
        }
    }
}
