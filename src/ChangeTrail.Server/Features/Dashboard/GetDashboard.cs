using System.Globalization;
using System.Linq.Expressions;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Policy;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Dashboard;

/// <summary>One change as a dashboard list shows it.</summary>
public sealed record DashboardChange(
    long Number,
    string Title,
    ChangeType Type,
    ChangeState State,
    RiskLevel Risk,
    DateTime? PlannedStart,
    DateTime? DocumentationDueAt = null,
    DateTime? ReviewDueAt = null,
    IReadOnlyList<string>? Flags = null)
{
    public string DisplayNumber => $"CR-{Number}";

    public bool DocumentationOverdue => Flags?.Contains(EmergencyFlags.DocumentationOverdue) == true;

    public bool ReviewOverdue => Flags?.Contains(EmergencyFlags.ReviewOverdue) == true;
}

/// <summary>How many changes are in one state.</summary>
public sealed record StateCount(ChangeState State, int Count);

/// <summary>Changes created in one ISO week (Monday 00:00 UTC to the next), per type.</summary>
public sealed record WeekCount(int IsoYear, int IsoWeek, DateTime Monday, IReadOnlyDictionary<ChangeType, int> ByType)
{
    public int Of(ChangeType type) => ByType.GetValueOrDefault(type);

    public int Total => ByType.Values.Sum();

    public string Label => $"W{IsoWeek:D2}";
}

/// <summary>
/// What the dashboard shows one viewer, and where the policy's review cycle stands (policy 6): the page reminds everyone
/// once a review is due within 30 days or overdue.
/// </summary>
public sealed record DashboardView(
    DateTime Now,
    bool ViewerCanApprove,
    IReadOnlyList<DashboardChange> WaitingForMyApproval,
    IReadOnlyList<DashboardChange> MyDrafts,
    IReadOnlyList<DashboardChange> ScheduledSoon,
    IReadOnlyList<DashboardChange> EmergenciesWithDeadlines,
    IReadOnlyList<StateCount> ByState,
    IReadOnlyList<WeekCount> Weeks,
    PolicyReviewReminder PolicyReview);

/// <summary>
/// The dashboard (GET /): what needs the viewer first, what is about to happen, and how many changes there are.
/// Every list is bounded and filtered on indexed columns (state, requestor, created-at) so the page stays fast
/// with a hundred thousand changes; whether the viewer may approve is asked of the aggregate itself.
/// </summary>
public static class GetDashboard
{
    public const int WeeksShown = 12;
    public static readonly TimeSpan ScheduledHorizon = TimeSpan.FromDays(7);

    /// <summary>How many of the newest changes awaiting a decision are checked against the viewer.</summary>
    public const int ApprovalCandidateLimit = 200;

    public const int ListLimit = 50;

    /// <summary>
    /// Where an emergency is once it has started: it stays in one of these until it is Closed (it cannot be
    /// cancelled, and a rejection leaves it where it is). Approvals are accepted in all of them.
    /// </summary>
    private static readonly ChangeState[] EmergencyUnderWayStates =
        [ChangeState.Implementing, ChangeState.Implemented, ChangeState.Verified, ChangeState.Failed, ChangeState.RolledBack];

    private static readonly ChangeState[] DecidableStates = [ChangeState.Submitted, .. EmergencyUnderWayStates];

    private static readonly ChangeState[] ScheduledStates = [ChangeState.Approved, ChangeState.Implementing];

    private static readonly Expression<Func<ChangeRequest, DashboardChange>> Row =
        c => new DashboardChange(c.Number, c.Title, c.Type, c.State, c.Risk.Overall, c.PlannedStart, null, null, null);

    private static DashboardChange Emergency(ChangeRequest c, DateTime now) =>
        new(c.Number, c.Title, c.Type, c.State, c.Risk.Overall, c.PlannedStart, c.DocumentationDueAt, c.ReviewDueAt, c.DeadlineFlags(now));

    public static async Task<DashboardView> ExecuteAsync(Actor viewer, ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire,
        CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var changes = db.ChangeRequests.AsNoTracking();
        var rows = changes.IgnoreAutoIncludes();

        // Someone whose roles fill no approval slot is refused by every change; skip loading them.
        var canApprove = !viewer.IsServiceAccount && ApprovalSlots.FillableBy(viewer.Roles).Count > 0;
        var waiting = new List<DashboardChange>();
        if (canApprove)
        {
            var candidates = await changes
                .Where(c => DecidableStates.Contains(c.State))
                .Where(c => c.State == ChangeState.Submitted || c.Type == ChangeType.Emergency)
                .OrderByDescending(c => c.Number)
                .Take(ApprovalCandidateLimit)
                .ToListAsync(cancellationToken);
            waiting = candidates
                .Where(c => c.CanDecide(viewer, ApprovalDecision.Approve, questionnaire, now).IsSuccess)
                .Select(c => Emergency(c, now))
                .ToList();
        }

        var drafts = await rows
            .Where(c => c.RequestorId == viewer.Id && c.State == ChangeState.Draft)
            .OrderByDescending(c => c.Number)
            .Take(ListLimit)
            .Select(Row)
            .ToListAsync(cancellationToken);

        var horizon = now + ScheduledHorizon;
        var scheduled = await rows
            .Where(c => ScheduledStates.Contains(c.State) && c.PlannedStart >= now && c.PlannedStart <= horizon)
            .OrderBy(c => c.PlannedStart).ThenBy(c => c.Number)
            .Take(ListLimit)
            .Select(Row)
            .ToListAsync(cancellationToken);

        // Emergencies under way with a deadline still open (policy 3.6): the write-up, the review, or both. Few are open at once.
        var emergencies = (await rows
                .Where(c => EmergencyUnderWayStates.Contains(c.State))
                .Where(c => c.Type == ChangeType.Emergency && c.DocumentationDueAt != null && (c.DocumentedAt == null || c.ReviewedAt == null))
                .OrderBy(c => c.DocumentationDueAt)
                .Take(ListLimit)
                .ToListAsync(cancellationToken))
            .Select(c => Emergency(c, now))
            .OrderByDescending(c => c.Flags!.Count(f => f is EmergencyFlags.DocumentationOverdue or EmergencyFlags.ReviewOverdue))
            .ThenBy(c => c.DocumentationDueAt)
            .ToList();

        var counted = await rows
            .GroupBy(c => c.State)
            .Select(g => new { State = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var byState = Enum.GetValues<ChangeState>()
            .Select(s => new StateCount(s, counted.FirstOrDefault(x => x.State == s)?.Count ?? 0))
            .ToList();

        return new DashboardView(now, canApprove, waiting, drafts, scheduled, emergencies, byState,
            await WeeksAsync(rows, now, cancellationToken), await GetPolicyReviewStatus.ExecuteAsync(db, now, cancellationToken));
    }

    /// <summary>The last <see cref="WeeksShown"/> ISO weeks, the current one last, by the changes' creation time in UTC.</summary>
    private static async Task<IReadOnlyList<WeekCount>> WeeksAsync(IQueryable<ChangeRequest> rows, DateTime now,
        CancellationToken cancellationToken)
    {
        var thisMonday = MondayOf(now);
        var from = thisMonday.AddDays(-7 * (WeeksShown - 1));
        // Week arithmetic differs between the two databases' SQL; a quarter's (instant, type) pairs group fine in memory.
        var created = await rows
            .Where(c => c.CreatedAt >= from)
            .Select(c => new { c.CreatedAt, c.Type })
            .ToListAsync(cancellationToken);
        var counts = created
            .GroupBy(c => (MondayOf(c.CreatedAt), c.Type))
            .ToDictionary(g => g.Key, g => g.Count());

        return Enumerable.Range(0, WeeksShown)
            .Select(i => from.AddDays(7 * i))
            .Select(monday => new WeekCount(
                ISOWeek.GetYear(monday),
                ISOWeek.GetWeekOfYear(monday),
                monday,
                Enum.GetValues<ChangeType>().ToDictionary(t => t, t => counts.GetValueOrDefault((monday, t)))))
            .ToList();
    }

    /// <summary>00:00 UTC on the Monday that starts the ISO week of <paramref name="instant"/>.</summary>
    public static DateTime MondayOf(DateTime instant)
    {
        var daysSinceMonday = ((int)instant.DayOfWeek + 6) % 7;
        return DateTime.SpecifyKind(instant.Date.AddDays(-daysSinceMonday), DateTimeKind.Utc);
    }
}
