using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// What a step on an exception, a Standard template or a version of the policy announces, by the ledger action it was
/// recorded under: a request for the approvals it needs, and the decision once it is made. Queued with the step's own save.
/// </summary>
public static class RecordNotifications
{
    public static async Task AddAsync(ChangeTrailDbContext db, Notifier notifier, object record, string action, DateTime now,
        CancellationToken cancellationToken)
    {
        if (notifier.IsOff || Of(record, action) is not var (type, text, subject, due))
            return;
        await notifier.AddAsync(db, type, text, subject, now, due, NotificationAudience.For(type, record), cancellationToken);
    }

    private static (string Type, string Text, NotificationSubject Subject, DateTime? DueAt)? Of(object record, string action) => (record, action) switch
    {
        (PolicyException e, "requested") => (WorkflowNotification.ApprovalRequested,
            $"{e.DisplayNumber} \"{e.Title}\", an exception to {e.Control.Describe()}, awaits a Head of Engineering and a Security Officer.",
            Subject(e), e.ExpiresAt),
        (PolicyException e, "approved") => (WorkflowNotification.ExceptionApproved,
            $"{e.DisplayNumber} \"{e.Title}\" is approved: {e.Describe()}.", Subject(e), e.ExpiresAt),
        (PolicyException e, "rejected") => (WorkflowNotification.ExceptionRejected, $"{e.DisplayNumber} \"{e.Title}\" was rejected.", Subject(e), null),
        (ChangeTemplate t, "submitted" or "resubmitted") => (WorkflowNotification.ApprovalRequested,
            $"Standard template {t.Name} \"{t.Title}\" awaits approval.", Subject(t), null),
        (ChangeTemplate t, "published") => (WorkflowNotification.TemplatePublished,
            $"Standard template {t.Name} \"{t.Title}\" is published until {t.ExpiresAt:yyyy-MM-dd} UTC.", Subject(t), t.ExpiresAt),
        (ChangeTemplate t, "handed-over") => (WorkflowNotification.TemplateHandedOver,
            $"Standard template {t.Name} \"{t.Title}\" is handed to you: as its author, you revise it and submit it for approval" +
            (t.ExpiresAt is { } expires ? $"; its approval expires at {expires:yyyy-MM-dd HH:mm} UTC." : "."), Subject(t), t.ExpiresAt),
        (PolicyVersion v, "proposed") => (WorkflowNotification.ApprovalRequested,
            $"Policy {v.DisplayNumber} is proposed and awaits a Head of Engineering and a Security Officer: {v.Summary}", Subject(v), null),
        (PolicyVersion v, "approved") => (WorkflowNotification.PolicyVersionInForce, $"Policy {v.DisplayNumber} is in force: {v.Summary}", Subject(v), null),
        _ => null,
    };

    public static NotificationSubject Subject(PolicyException e) =>
        new("exception", e.Id, e.DisplayNumber, e.Title, $"/exceptions/{e.DisplayNumber}");

    public static NotificationSubject Subject(ChangeTemplate t) => new("template", t.Id, t.Name, t.Title, $"/templates/{t.Name}");

    public static NotificationSubject Subject(PolicyVersion v) => new("policy", v.Id, v.DisplayNumber, v.Summary, $"/policy/versions/{v.DisplayNumber}");
}
