using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// Queues a notification for every configured webhook, as <c>WebhookDelivery</c> rows written through the caller's
/// context, in the caller's transaction: the notification commits with what it announces, or not at all. The signed
/// checkpoint writes them by statement (<see cref="QueueAsync"/>); the policy workflows add them to the tracker
/// (<see cref="Add"/>).
/// <see cref="WebhookSender"/> sends them.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>
    /// One delivery per webhook of <paramref name="payload"/>, due at once. Written by statement rather than through
    /// the change tracker, so the caller's pending changes are neither saved early nor disturbed.
    /// </summary>
    public static async Task QueueAsync(ChangeTrailDbContext db, NotificationWebhooks webhooks, string eventType, string payload,
        DateTime now, CancellationToken cancellationToken)
    {
        foreach (var webhook in webhooks.All)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "WebhookDelivery" ("Id", "WebhookUrl", "EventType", "Payload", "CreatedAt", "Attempts", "NextAttemptAt")
                VALUES ({Guid.CreateVersion7()}, {webhook.Key}, {eventType}, {payload}, {now}, {0}, {now})
                """, cancellationToken);
        }
    }

    /// <summary>
    /// One delivery per webhook of <paramref name="payload"/>, due at once, added to the caller's change tracker: saved by the
    /// caller's next <c>SaveChanges</c>, in the same transaction as the record it announces (a change's transition, an
    /// exception's approval), and never if that save fails.
    /// </summary>
    public static void Add(ChangeTrailDbContext db, NotificationWebhooks webhooks, string eventType, string payload, DateTime now)
    {
        foreach (var webhook in webhooks.All)
        {
            db.WebhookDeliveries.Add(new WebhookDelivery
            {
                Id = Guid.CreateVersion7(),
                WebhookUrl = webhook.Key,
                EventType = eventType,
                Payload = payload,
                CreatedAt = now,
                Attempts = 0,
                NextAttemptAt = now,
            });
        }
    }
}
