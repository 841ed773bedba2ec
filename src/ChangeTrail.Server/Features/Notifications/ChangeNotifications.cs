using ChangeTrail.Domain.Changes;
using ChangeTrail.Persistence;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// What a change's step announces, read from the timeline events the step raised: a submission asks for approvals, the
/// last approval or a rejection decides, an emergency starting sets its 24-hour clock. Queued with the step's own save.
/// </summary>
public static class ChangeNotifications
{
    public static async Task AddAsync(ChangeTrailDbContext db, Notifier notifier, ChangeRequest change, DateTime now, CancellationToken cancellationToken)
    {
        if (notifier.IsOff)
            return;
        var subject = Subject(change);
        foreach (var raised in change.PendingEvents)
        {
            var (type, text, due) = raised.Action switch
            {
                "submitted" => (WorkflowNotification.ApprovalRequested,
                    $"{change.DisplayNumber} \"{change.Title}\" awaits approval: it needs {change.Approvals.Describe()}.", (DateTime?)null),
                "approval-complete" => (WorkflowNotification.ChangeApproved, $"{change.DisplayNumber} \"{change.Title}\" is approved.", null),
                "rejected" => (WorkflowNotification.ChangeRejected, $"{change.DisplayNumber} \"{change.Title}\" was rejected: {raised.Detail}", null),
                "started" when change.Type == ChangeType.Emergency => (WorkflowNotification.EmergencyStarted,
                    $"Emergency {change.DisplayNumber} \"{change.Title}\" started: its write-up and approval are due by " +
                    $"{change.DocumentationDueAt:yyyy-MM-dd HH:mm} UTC.", change.DocumentationDueAt),
                _ => (null, null, null),
            };
            if (type is not null)
                await notifier.AddAsync(db, type, text!, subject, now, due, NotificationAudience.For(type, change), cancellationToken);
        }
    }

    public static NotificationSubject Subject(ChangeRequest change) =>
        new("change", change.Id, change.DisplayNumber, change.Title, $"/changes/{change.DisplayNumber}");
}
