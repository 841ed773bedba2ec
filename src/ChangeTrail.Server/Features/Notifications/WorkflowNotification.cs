using System.Text.Json;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// What a workflow notification is about — its <c>kind</c> (change, exception, template, policy), id, how people name it
/// (CR-12, EX-3, routine-patching, v2), title, and where its page is on this server (<c>/changes/CR-12</c>).
/// </summary>
public sealed record NotificationSubject(string Kind, Guid Id, string Number, string Title, string Path);

/// <summary>
/// The notifications of the policy workflows: their event types, and the JSON every webhook gets — Slack-compatible
/// (<c>text</c> is the whole message, as a Slack incoming webhook shows it) and structured for a machine (<c>type</c>,
/// <c>subject</c>, <c>dueAt</c>), signed and retried like every notification (<see cref="WebhookSender"/>).
/// </summary>
public static class WorkflowNotification
{
    public const string ApprovalRequested = "approval.requested";
    public const string ChangeApproved = "change.approved";
    public const string ChangeRejected = "change.rejected";
    public const string EmergencyStarted = "emergency.started";
    public const string DocumentationDue = "emergency.documentation-due";
    public const string DocumentationOverdue = "emergency.documentation-overdue";
    public const string ReviewDue = "emergency.review-due";
    public const string ReviewOverdue = "emergency.review-overdue";
    public const string ExceptionApproved = "exception.approved";
    public const string ExceptionRejected = "exception.rejected";
    public const string ExceptionExpiring = "exception.expiring";
    public const string FreezeCoversChange = "freeze.covers-change";
    public const string TemplatePublished = "template.published";
    public const string TemplateExpiring = "template.expiring";
    public const string TemplateHandedOver = "template.handed-over";
    public const string PolicyVersionInForce = "policy.version-in-force";
    public const string PolicyReviewDue = "policy.review-due";
    public const string PolicyReviewOverdue = "policy.review-overdue";

    public static readonly IReadOnlyList<string> All =
    [
        ApprovalRequested, ChangeApproved, ChangeRejected, EmergencyStarted, DocumentationDue, DocumentationOverdue, ReviewDue, ReviewOverdue,
        ExceptionApproved, ExceptionRejected, ExceptionExpiring, FreezeCoversChange, TemplatePublished, TemplateExpiring, TemplateHandedOver,
        PolicyVersionInForce, PolicyReviewDue, PolicyReviewOverdue,
    ];

    /// <summary>Each event type in words, as the notification preferences page shows it (docs/notifications.md has the same table).</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        [ApprovalRequested] = "A change, exception, Standard template or policy version awaits an approval you can give",
        [ChangeApproved] = "A change's last required approval is given",
        [ChangeRejected] = "An approver rejects a change",
        [EmergencyStarted] = "An emergency change starts; its write-up is due within 24 hours",
        [DocumentationDue] = "An emergency's write-up is due within 4 hours",
        [DocumentationOverdue] = "An emergency's write-up is past its 24 hours",
        [ReviewDue] = "An emergency's post-implementation review is due within 2 days",
        [ReviewOverdue] = "An emergency's post-implementation review is past its week",
        [ExceptionApproved] = "A policy exception gets its second sign-off",
        [ExceptionRejected] = "A policy exception is rejected",
        [ExceptionExpiring] = "An approved policy exception expires within 7 days",
        [FreezeCoversChange] = "A freeze is defined over the planned window of a change of yours already submitted",
        [TemplatePublished] = "A Standard change template is approved",
        [TemplateExpiring] = "The approval of a Standard change template you wrote expires within 30 days",
        [TemplateHandedOver] = "A Standard change template is handed to you: you are its author now",
        [PolicyVersionInForce] = "A new version of the policy comes into force",
        [PolicyReviewDue] = "The policy's annual review is due within 30 days, and again within 7 days",
        [PolicyReviewOverdue] = "The policy's review is past due",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Payload(string type, string text, NotificationSubject subject, DateTime at, DateTime? dueAt = null) =>
        JsonSerializer.Serialize(new Body(type, text, subject, at, dueAt), Json);

    private sealed record Body(string Type, string Text, NotificationSubject Subject, DateTime At, DateTime? DueAt);
}
