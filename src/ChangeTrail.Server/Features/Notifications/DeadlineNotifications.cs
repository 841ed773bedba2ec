using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// The deadlines the clock keeps, announced when they pass (ChangeTrail:Notifications:DeadlineInterval, every minute by
/// default): an emergency's write-up or review overdue (policy 3.6), an approved exception expiring within a week (policy
/// 5), the policy's review due within 30 and 7 days and overdue (policy 6). Each is announced once: its key is written with
/// its deliveries, in one transaction, and a key already written is not announced again. On PostgreSQL the instances take
/// turns through an advisory lock, so one scans each round.
/// </summary>
public sealed class DeadlineNotifications(IServiceScopeFactory scopes, TimeProvider time, Notifier notifier,
    IOptions<ChangeTrailOptions> options, ILogger<DeadlineNotifications> logger) : ScheduledJob(time, logger)
{
    /// <summary>The advisory lock's key: "CTNOTIFY" in ASCII.</summary>
    public const long AdvisoryLockKey = 0x4354_4E4F_5449_4659;

    /// <summary>How long before it expires an approved exception is announced as expiring.</summary>
    public static readonly TimeSpan ExceptionWarning = TimeSpan.FromDays(7);

    /// <summary>How long before its approval expires a published template is announced as expiring: time to have it approved again.</summary>
    public static readonly TimeSpan TemplateWarning = TimeSpan.FromDays(30);

    /// <summary>The most of each kind announced in one round; the next round takes the rest.</summary>
    public const int BatchSize = 200;

    protected override TimeSpan Interval => options.Value.Notifications.DeadlineInterval;

    protected override string Name => "Announcing deadlines";

    protected override async Task RunRoundAsync(CancellationToken cancellationToken) => await RunOnceAsync(cancellationToken);

    /// <summary>One round: how many deadlines it announced, or null when another instance holds the lock.</summary>
    public async Task<int?> RunOnceAsync(CancellationToken cancellationToken)
    {
        // Nowhere to send them: nothing is marked announced, so webhooks or email configured later hear of deadlines still open.
        if (notifier.IsOff)
            return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<Clock>().UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await TryLockRoundAsync(db, AdvisoryLockKey, cancellationToken))
            return null;

        var due = new List<(string Key, string Type, string Text, NotificationSubject Subject, DateTime DueAt, object Record)>();
        foreach (var c in await db.ChangeRequests.AsNoTracking().Where(EmergencyFlags.Having(EmergencyFlags.DocumentationOverdue, now)!)
                     .OrderBy(c => c.DocumentationDueAt).Take(BatchSize).ToListAsync(cancellationToken))
            due.Add(($"{WorkflowNotification.DocumentationOverdue}:{c.Id}", WorkflowNotification.DocumentationOverdue,
                $"Emergency {c.DisplayNumber} \"{c.Title}\" is overdue: its write-up and approval were due by {c.DocumentationDueAt:yyyy-MM-dd HH:mm} UTC.",
                ChangeSubject(c), c.DocumentationDueAt!.Value, c));
        foreach (var c in await db.ChangeRequests.AsNoTracking().Where(EmergencyFlags.Having(EmergencyFlags.ReviewOverdue, now)!)
                     .OrderBy(c => c.ReviewDueAt).Take(BatchSize).ToListAsync(cancellationToken))
            due.Add(($"{WorkflowNotification.ReviewOverdue}:{c.Id}", WorkflowNotification.ReviewOverdue,
                $"Emergency {c.DisplayNumber} \"{c.Title}\" awaits its post-implementation review, due by {c.ReviewDueAt:yyyy-MM-dd HH:mm} UTC.",
                ChangeSubject(c), c.ReviewDueAt!.Value, c));
        var warnFrom = now + ExceptionWarning;
        foreach (var e in await db.PolicyExceptions.AsNoTracking()
                     .Where(e => e.State == PolicyExceptionState.Approved && e.ExpiresAt > now && e.ExpiresAt <= warnFrom)
                     .OrderBy(e => e.ExpiresAt).Take(BatchSize).ToListAsync(cancellationToken))
            due.Add(($"{WorkflowNotification.ExceptionExpiring}:{e.Id}:{e.ExpiresAt:O}", WorkflowNotification.ExceptionExpiring,
                $"{e.DisplayNumber} \"{e.Title}\" expires at {e.ExpiresAt:yyyy-MM-dd HH:mm} UTC; changes citing it lose its waiver then.",
                RecordNotifications.Subject(e), e.ExpiresAt, e));
        var templateWarnFrom = now + TemplateWarning;
        foreach (var t in await db.ChangeTemplates.AsNoTracking()
                     .Where(t => t.State == TemplateState.Published && t.ExpiresAt > now && t.ExpiresAt <= templateWarnFrom)
                     .OrderBy(t => t.ExpiresAt).Take(BatchSize).ToListAsync(cancellationToken))
            due.Add(($"{WorkflowNotification.TemplateExpiring}:{t.Id}:{t.ExpiresAt:O}", WorkflowNotification.TemplateExpiring,
                $"Standard change template {t.Name} \"{t.Title}\" expires at {t.ExpiresAt:yyyy-MM-dd HH:mm} UTC; submit it for re-approval to go on making changes from it.",
                RecordNotifications.Subject(t), t.ExpiresAt!.Value, t));
        if (await PolicyReviewDueAsync(db, now, cancellationToken) is { } review)
            due.Add(review);

        var keys = due.Select(d => d.Key).ToList();
        var announced = await db.SentNotifications.AsNoTracking().Where(s => keys.Contains(s.Key)).Select(s => s.Key).ToListAsync(cancellationToken);
        var fresh = due.Where(d => !announced.Contains(d.Key)).ToList();
        foreach (var (key, type, text, subject, dueAt, record) in fresh)
        {
            db.SentNotifications.Add(new SentNotification { Key = key, SentAt = now });
            await notifier.AddAsync(db, type, text, subject, now, dueAt, NotificationAudience.For(type, record), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return fresh.Count;
    }

    private static NotificationSubject ChangeSubject(ChangeRequest c) => new("change", c.Id, c.DisplayNumber, c.Title, $"/changes/{c.DisplayNumber}");

    /// <summary>The policy review's reminder due now, if any: 30 days before, 7 days before, and overdue — each once per due date.</summary>
    private static async Task<(string, string, string, NotificationSubject, DateTime, object)?> PolicyReviewDueAsync(ChangeTrailDbContext db, DateTime now,
        CancellationToken cancellationToken)
    {
        var inForce = await db.PolicyVersions.AsNoTracking().SingleOrDefaultAsync(v => v.State == PolicyVersionState.InForce, cancellationToken);
        if (inForce is null)
            return null;
        var lastReview = await db.PolicyReviews.AsNoTracking().MaxAsync(r => (DateTime?)r.ReviewedAt, cancellationToken);
        var due = PolicyReviewCycle.NextReviewDue(lastReview, inForce.DecidedAt)!.Value;
        var subject = RecordNotifications.Subject(inForce);
        return PolicyReviewCycle.StatusAt(due, now) switch
        {
            PolicyReviewStatus.DueWithin30Days => ($"{WorkflowNotification.PolicyReviewDue}-30:{due:O}", WorkflowNotification.PolicyReviewDue,
                $"The Change Management Policy ({inForce.DisplayNumber}) is due for its annual review by {due:yyyy-MM-dd} (within 30 days).", subject, due, inForce),
            PolicyReviewStatus.DueWithin7Days => ($"{WorkflowNotification.PolicyReviewDue}-7:{due:O}", WorkflowNotification.PolicyReviewDue,
                $"The Change Management Policy ({inForce.DisplayNumber}) is due for its annual review by {due:yyyy-MM-dd} (within 7 days).", subject, due, inForce),
            PolicyReviewStatus.Overdue => ($"{WorkflowNotification.PolicyReviewOverdue}:{due:O}", WorkflowNotification.PolicyReviewOverdue,
                $"The Change Management Policy ({inForce.DisplayNumber}) is overdue for its annual review, due {due:yyyy-MM-dd}.", subject, due, inForce),
            _ => null,
        };
    }
}
