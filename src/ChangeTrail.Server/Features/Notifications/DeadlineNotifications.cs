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
/// default): an emergency's write-up or review due soon and overdue (policy 3.6), an approved exception expiring within a week (policy
/// 5), the policy's review due within 30 and 7 days and overdue (policy 6). Each is announced once: its key is written with
/// its deliveries, in one transaction, and a key already written is not announced again. On PostgreSQL the instances take
/// turns through an advisory lock, so one scans each round.
/// </summary>
public sealed class DeadlineNotifications(IServiceScopeFactory scopes, TimeProvider time, Notifier notifier,
    IOptions<ChangeTrailOptions> options, ILogger<DeadlineNotifications> logger) : ScheduledJob(time, logger)
{
    /// <summary>The advisory lock's key: "CTNOTIFY" in ASCII.</summary>
    public const long AdvisoryLockKey = 0x4354_4E4F_5449_4659;

    /// <summary>How long before its 24-hour deadline an emergency's write-up still missing is announced as due.</summary>
    public static readonly TimeSpan DocumentationWarning = TimeSpan.FromHours(4);

    /// <summary>How long before its deadline (a week after the start) an emergency's review still missing is announced as due.</summary>
    public static readonly TimeSpan ReviewWarning = TimeSpan.FromDays(2);

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

        var due = new List<Deadline>();
        await CollectAsync(db, due, db.ChangeRequests.Where(EmergencyFlags.Having(EmergencyFlags.DocumentationOverdue, now)!)
            .OrderByDescending(c => c.DocumentationDueAt).ThenBy(c => c.Id), c => new($"{WorkflowNotification.DocumentationOverdue}:{c.Id}",
            WorkflowNotification.DocumentationOverdue,
            $"Emergency {c.DisplayNumber} \"{c.Title}\" is overdue: its write-up and approval were due by {c.DocumentationDueAt:yyyy-MM-dd HH:mm} UTC.",
            ChangeNotifications.Subject(c), c.DocumentationDueAt!.Value, c), cancellationToken);
        var documentationWarnFrom = now + DocumentationWarning;
        await CollectAsync(db, due, db.ChangeRequests
            .Where(c => c.DocumentationDueAt != null && c.DocumentedAt == null && c.ClosedAt == null
                && c.DocumentationDueAt >= now && c.DocumentationDueAt <= documentationWarnFrom)
            .OrderByDescending(c => c.DocumentationDueAt).ThenBy(c => c.Id), c => new($"{WorkflowNotification.DocumentationDue}:{c.Id}",
            WorkflowNotification.DocumentationDue,
            $"Emergency {c.DisplayNumber} \"{c.Title}\": its write-up and approval are due by {c.DocumentationDueAt:yyyy-MM-dd HH:mm} UTC, " +
            $"within {DocumentationWarning.TotalHours:0} hours.", ChangeNotifications.Subject(c), c.DocumentationDueAt!.Value, c), cancellationToken);
        await CollectAsync(db, due, db.ChangeRequests.Where(EmergencyFlags.Having(EmergencyFlags.ReviewOverdue, now)!)
            .OrderByDescending(c => c.ReviewDueAt).ThenBy(c => c.Id), c => new($"{WorkflowNotification.ReviewOverdue}:{c.Id}", WorkflowNotification.ReviewOverdue,
            $"Emergency {c.DisplayNumber} \"{c.Title}\" awaits its post-implementation review, due by {c.ReviewDueAt:yyyy-MM-dd HH:mm} UTC.",
            ChangeNotifications.Subject(c), c.ReviewDueAt!.Value, c), cancellationToken);
        var reviewWarnFrom = now + ReviewWarning;
        await CollectAsync(db, due, db.ChangeRequests
            .Where(c => c.ReviewDueAt != null && c.ReviewedAt == null && c.ClosedAt == null && c.ReviewDueAt >= now && c.ReviewDueAt <= reviewWarnFrom)
            .OrderByDescending(c => c.ReviewDueAt).ThenBy(c => c.Id), c => new($"{WorkflowNotification.ReviewDue}:{c.Id}", WorkflowNotification.ReviewDue,
            $"Emergency {c.DisplayNumber} \"{c.Title}\" needs its post-implementation review by a CAB member by {c.ReviewDueAt:yyyy-MM-dd HH:mm} UTC, " +
            $"within {ReviewWarning.TotalDays:0} days.", ChangeNotifications.Subject(c), c.ReviewDueAt!.Value, c), cancellationToken);
        var exceptionWarnFrom = now + ExceptionWarning;
        await CollectAsync(db, due, db.PolicyExceptions
            .Where(e => e.State == PolicyExceptionState.Approved && e.ExpiresAt > now && e.ExpiresAt <= exceptionWarnFrom)
            .OrderByDescending(e => e.ExpiresAt).ThenBy(e => e.Id), e => new($"{WorkflowNotification.ExceptionExpiring}:{e.Id}:{e.ExpiresAt:O}",
            WorkflowNotification.ExceptionExpiring,
            $"{e.DisplayNumber} \"{e.Title}\" expires at {e.ExpiresAt:yyyy-MM-dd HH:mm} UTC; changes citing it lose its waiver then.",
            RecordNotifications.Subject(e), e.ExpiresAt, e), cancellationToken);
        var templateWarnFrom = now + TemplateWarning;
        await CollectAsync(db, due, db.ChangeTemplates
            .Where(t => t.State == TemplateState.Published && t.ExpiresAt > now && t.ExpiresAt <= templateWarnFrom)
            .OrderByDescending(t => t.ExpiresAt).ThenBy(t => t.Id), t => new($"{WorkflowNotification.TemplateExpiring}:{t.Id}:{t.ExpiresAt:O}",
            WorkflowNotification.TemplateExpiring,
            $"Standard change template {t.Name} \"{t.Title}\" expires at {t.ExpiresAt:yyyy-MM-dd HH:mm} UTC; submit it for re-approval to go on making changes from it.",
            RecordNotifications.Subject(t), t.ExpiresAt!.Value, t), cancellationToken);
        if (await PolicyReviewDueAsync(db, now, cancellationToken) is { } review)
            due.AddRange(await NotAnnouncedAsync(db, [review], cancellationToken));

        foreach (var (key, type, text, subject, dueAt, record) in due)
        {
            db.SentNotifications.Add(new SentNotification { Key = key, SentAt = now });
            await notifier.AddAsync(db, type, text, subject, now, dueAt, NotificationAudience.For(type, record), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    /// <summary>A deadline to announce once, under <paramref name="Key"/>: what it is, about what, when it falls.</summary>
    private sealed record Deadline(string Key, string Type, string Text, NotificationSubject Subject, DateTime DueAt, object Record);

    /// <summary>
    /// Adds up to a batch of <paramref name="query"/>'s deadlines not yet announced, reading it page by page past those that
    /// were: an overdue write-up stays overdue until done, so the first page alone may hold only deadlines announced long ago,
    /// and more than a batch falling due between two rounds would leave the rest unannounced for good. Each query orders the
    /// latest-falling first (then by id, so the pages do not overlap), so a deadline just reached is usually on the first page.
    /// </summary>
    private static async Task CollectAsync<T>(ChangeTrailDbContext db, List<Deadline> due, IQueryable<T> query, Func<T, Deadline> deadline,
        CancellationToken cancellationToken) where T : class
    {
        var fresh = new List<Deadline>();
        for (var skip = 0; fresh.Count < BatchSize; skip += BatchSize)
        {
            var page = (await query.AsNoTracking().Skip(skip).Take(BatchSize).ToListAsync(cancellationToken)).Select(deadline).ToList();
            fresh.AddRange(await NotAnnouncedAsync(db, page, cancellationToken));
            if (page.Count < BatchSize)
                break;
        }
        due.AddRange(fresh.Take(BatchSize));
    }

    private static async Task<IEnumerable<Deadline>> NotAnnouncedAsync(ChangeTrailDbContext db, IReadOnlyList<Deadline> deadlines,
        CancellationToken cancellationToken)
    {
        var keys = deadlines.Select(d => d.Key).ToList();
        var announced = await db.SentNotifications.AsNoTracking().Where(s => keys.Contains(s.Key)).Select(s => s.Key).ToListAsync(cancellationToken);
        return deadlines.Where(d => !announced.Contains(d.Key));
    }

    /// <summary>The policy review's reminder due now, if any: 30 days before, 7 days before, and overdue — each once per due date.</summary>
    private static async Task<Deadline?> PolicyReviewDueAsync(ChangeTrailDbContext db, DateTime now,
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
            PolicyReviewStatus.DueWithin30Days => new($"{WorkflowNotification.PolicyReviewDue}-30:{due:O}", WorkflowNotification.PolicyReviewDue,
                $"The Change Management Policy ({inForce.DisplayNumber}) is due for its annual review by {due:yyyy-MM-dd} (within 30 days).", subject, due, inForce),
            PolicyReviewStatus.DueWithin7Days => new($"{WorkflowNotification.PolicyReviewDue}-7:{due:O}", WorkflowNotification.PolicyReviewDue,
                $"The Change Management Policy ({inForce.DisplayNumber}) is due for its annual review by {due:yyyy-MM-dd} (within 7 days).", subject, due, inForce),
            PolicyReviewStatus.Overdue => new($"{WorkflowNotification.PolicyReviewOverdue}:{due:O}", WorkflowNotification.PolicyReviewOverdue,
                $"The Change Management Policy ({inForce.DisplayNumber}) is overdue for its annual review, due {due:yyyy-MM-dd}.", subject, due, inForce),
            _ => null,
        };
    }
}
