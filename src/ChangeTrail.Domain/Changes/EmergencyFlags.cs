using System.Linq.Expressions;

namespace ChangeTrail.Domain.Changes;

/// <summary>What an emergency's deadlines say of it (<see cref="ChangeRequest.DeadlineFlags"/>), as the API, reports and filters name them.</summary>
public static class EmergencyFlags
{
    public const string DocumentationOverdue = "documentation-overdue";
    public const string DocumentedLate = "documented-late";
    public const string ReviewOverdue = "review-overdue";
    public const string ReviewedLate = "reviewed-late";

    public static readonly IReadOnlyList<string> All = [DocumentationOverdue, DocumentedLate, ReviewOverdue, ReviewedLate];

    /// <summary>
    /// An emergency's deadlines at <paramref name="now"/>, from its four instants alone, so a list can say it of rows it does
    /// not load whole: the write-up (fields and approvals) due 24 hours after the start and the review a week after. Each is
    /// overdue while missed and undone, and late once done after it — and stays late in every report. A closed emergency is
    /// never overdue: closing needs both (emergencies closed before write-ups were timed have no time to judge).
    /// </summary>
    public static IReadOnlyList<string> Of(DateTime? documentationDueAt, DateTime? documentedAt, DateTime? reviewDueAt, DateTime? reviewedAt,
        DateTime? closedAt, DateTime now)
    {
        var flags = new List<string>(2);
        if (documentationDueAt is { } due)
        {
            if (documentedAt is { } documented)
            {
                if (documented > due)
                    flags.Add(DocumentedLate);
            }
            else if (now > due && closedAt is null)
                flags.Add(DocumentationOverdue);
        }
        if (reviewDueAt is { } reviewDue)
        {
            if (reviewedAt is { } reviewed)
            {
                if (reviewed > reviewDue)
                    flags.Add(ReviewedLate);
            }
            else if (now > reviewDue && closedAt is null)
                flags.Add(ReviewOverdue);
        }
        return flags;
    }

    /// <summary>
    /// The changes that have <paramref name="flag"/> at <paramref name="now"/>, as a query a database runs: <see cref="Of"/>'s
    /// rules, one flag at a time (a test holds the two to the same answers). Null for a name that is no flag.
    /// </summary>
    public static Expression<Func<ChangeRequest, bool>>? Having(string flag, DateTime now) => flag switch
    {
        DocumentationOverdue => c => c.DocumentationDueAt != null && c.DocumentedAt == null && c.ClosedAt == null && c.DocumentationDueAt < now,
        DocumentedLate => c => c.DocumentationDueAt != null && c.DocumentedAt > c.DocumentationDueAt,
        ReviewOverdue => c => c.ReviewDueAt != null && c.ReviewedAt == null && c.ClosedAt == null && c.ReviewDueAt < now,
        ReviewedLate => c => c.ReviewDueAt != null && c.ReviewedAt > c.ReviewDueAt,
        _ => null,
    };
}
