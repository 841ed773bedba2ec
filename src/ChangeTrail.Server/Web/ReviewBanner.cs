using ChangeTrail.Domain.PolicyDocuments;

namespace ChangeTrail.Server.Web;

/// <summary>
/// The policy's review status (policy 6) in words, with the alert style it is shown in: the same sentence on /policy and on
/// the dashboard, so a reminder reads the same wherever someone meets it.
/// </summary>
/// <param name="Style">The alert's style: info while the review is not yet due, warn within 30 days or with no policy, error once overdue.</param>
/// <param name="Text">"Review due in 12 days, on 2027-03-01 09:30 UTC.", "Review overdue since …", "No policy in force yet."</param>
public sealed record ReviewBanner(string Style, string Text)
{
    public static ReviewBanner Of(PolicyReviewStatus status, DateTime? due, DateTime now) => (status, due) switch
    {
        (PolicyReviewStatus.Overdue, { } d) => new("error", $"Review overdue since {Display.Instant(d)} UTC."),
        (PolicyReviewStatus.Current, { } d) => new("info", $"Review due in {Days(d - now)}, on {Display.Instant(d)} UTC."),
        (PolicyReviewStatus.DueWithin30Days or PolicyReviewStatus.DueWithin7Days, { } d) =>
            new("warn", $"Review due in {Days(d - now)}, on {Display.Instant(d)} UTC."),
        _ => new("warn", "No policy in force yet."),
    };

    // Whole days, rounded up while it is still due: twelve months from now read "365 days", an hour from now "1 day".
    private static string Days(TimeSpan span)
    {
        var days = Math.Max(1, (int)Math.Ceiling(span.TotalDays));
        return days == 1 ? "1 day" : $"{days} days";
    }
}
