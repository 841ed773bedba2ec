using ChangeTrail.Persistence;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// The one way a workflow notification is queued: for every configured webhook (<see cref="WebhookOutbox"/>) and as an
/// email to each person of its audience who has not turned the event off (<see cref="EmailOutbox"/>). Both are added to
/// the caller's change tracker, so they commit with the step they announce, in its save, or not at all.
/// </summary>
public sealed class Notifier(NotificationWebhooks webhooks, NotificationEmail email)
{
    /// <summary>Announces nothing: for the demo's made-up history, which happened to nobody.</summary>
    public static readonly Notifier None = new(NotificationWebhooks.None, NotificationEmail.None);

    /// <summary>Nowhere to send a notification: callers skip composing them.</summary>
    public bool IsOff => webhooks.All.Count == 0 && !email.Enabled;

    public async Task AddAsync(ChangeTrailDbContext db, string type, string text, NotificationSubject subject, DateTime now, DateTime? dueAt,
        NotificationAudience audience, CancellationToken cancellationToken)
    {
        WebhookOutbox.Add(db, webhooks, type, WorkflowNotification.Payload(type, text, subject, now, dueAt), now);
        if (email.Enabled)
            await EmailOutbox.AddAsync(db, type, text, subject, now, dueAt, audience, cancellationToken);
    }
}
