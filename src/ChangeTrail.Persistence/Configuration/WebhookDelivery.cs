namespace ChangeTrail.Persistence.Configuration;

/// <summary>
/// One notification queued for one webhook: the outbox row a background sender delivers at least once. It is
/// written in the same transaction as what it announces, so nothing is announced that did not happen, and nothing
/// that happened goes unannounced. The payload is serialized once, when queued: every attempt sends the same bytes.
/// </summary>
public sealed class WebhookDelivery
{
    public const int UrlMaxLength = 2000;
    public const int EventTypeMaxLength = 100;
    public const int LastErrorMaxLength = 1000;

    /// <summary>Sent as <c>webhook-id</c> (Standard Webhooks), the same on every attempt: receivers deduplicate on it.</summary>
    public Guid Id { get; set; }

    public string WebhookUrl { get; set; } = "";

    /// <summary>Sent as <c>X-ChangeTrail-Event</c>, e.g. <c>ledger.checkpoint</c>; the payload's <c>type</c> says it too.</summary>
    public string EventType { get; set; } = "";

    /// <summary>The JSON body, exactly as sent and signed.</summary>
    public string Payload { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// <summary>Attempts made so far, the successful one included.</summary>
    public int Attempts { get; set; }

    /// <summary>When the sender may next try (or, while one holds it, when its claim lapses); null once delivered or given up.</summary>
    public DateTime? NextAttemptAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    /// <summary>Why the last failed attempt failed (a status or an exception's message), or why the sender gave up.</summary>
    public string? LastError { get; set; }
}
