namespace ChangeTrail.Persistence.Configuration;

/// <summary>
/// One workflow notification queued as an email to one person: the outbox row the email sender delivers at least once.
/// Written in the same transaction as what it announces, like <see cref="WebhookDelivery"/>, so a crash before it is
/// sent loses nothing. The recipient, subject and body are fixed when queued: every attempt sends the same message.
/// </summary>
public sealed class EmailDelivery
{
    public const int AddressMaxLength = 256;
    public const int SubjectMaxLength = 300;
    public const int LastErrorMaxLength = WebhookDelivery.LastErrorMaxLength;

    /// <summary>Also the message's Message-Id, the same on every attempt.</summary>
    public Guid Id { get; set; }

    /// <summary>The recipient's email address, as it was when the notification was queued.</summary>
    public string To { get; set; } = "";

    public Guid RecipientId { get; set; }

    /// <summary>The workflow event, e.g. <c>approval.requested</c>.</summary>
    public string EventType { get; set; } = "";

    public string Subject { get; set; } = "";

    /// <summary>The plain-text body, exactly as sent.</summary>
    public string Body { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    /// <summary>Attempts made so far, the successful one included.</summary>
    public int Attempts { get; set; }

    /// <summary>When the sender may next try (or, while one holds it, when its claim lapses); null once delivered or given up.</summary>
    public DateTime? NextAttemptAt { get; set; }

    public DateTime? DeliveredAt { get; set; }

    /// <summary>Why the last failed attempt failed, or why the sender gave up.</summary>
    public string? LastError { get; set; }
}

/// <summary>
/// A person's choice for one workflow event: whether it reaches them by email. Without a row, it does (email is on by default).
/// </summary>
public sealed class NotificationPreference
{
    public Guid UserId { get; set; }

    public string EventType { get; set; } = "";

    public bool Email { get; set; }
}
