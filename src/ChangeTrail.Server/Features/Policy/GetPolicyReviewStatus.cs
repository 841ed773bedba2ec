using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>Where the policy's review cycle stands at a moment: when the next review is due (null while no version is in force), and its status.</summary>
public sealed record PolicyReviewReminder(PolicyReviewStatus Status, DateTime? NextReviewDue)
{
    /// <summary>A reminder is due: within 30 or 7 days of the next review, or past it (policy 6).</summary>
    public bool IsDue => Status is PolicyReviewStatus.DueWithin30Days or PolicyReviewStatus.DueWithin7Days or PolicyReviewStatus.Overdue;
}

/// <summary>
/// The review cycle alone, for the dashboard's reminder: two small reads (when the version in force came into force, when the
/// last review was) instead of <see cref="PolicyView"/>'s every version and text. The cycle itself is the domain's
/// <see cref="PolicyReviewCycle"/>, as GET /policy computes it.
/// </summary>
public static class GetPolicyReviewStatus
{
    public static async Task<PolicyReviewReminder> ExecuteAsync(ChangeTrailDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var inForce = await db.PolicyVersions.AsNoTracking()
            .Where(v => v.State == PolicyVersionState.InForce)
            .Select(v => new { v.DecidedAt })
            .SingleOrDefaultAsync(cancellationToken);
        var lastReviewedAt = await db.PolicyReviews.AsNoTracking()
            .OrderByDescending(r => r.ReviewedAt)
            .Select(r => (DateTime?)r.ReviewedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var due = inForce is null ? null : PolicyReviewCycle.NextReviewDue(lastReviewedAt, inForce.DecidedAt);
        return new PolicyReviewReminder(PolicyReviewCycle.StatusAt(due, now), due);
    }
}
