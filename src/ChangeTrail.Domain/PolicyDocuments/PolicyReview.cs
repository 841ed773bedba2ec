using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.PolicyDocuments;

public enum PolicyReviewOutcome
{
    /// <summary>Reviewed and still right as it stands.</summary>
    Unchanged,
    /// <summary>Reviewed and in need of changes: a new version is to be proposed.</summary>
    ChangesNeeded,
}

/// <summary>
/// One review of the policy (policy 6: "at least annually or upon significant changes"): who, when, which version, what they
/// found and what is to change. Recorded by its owners, a Head of Engineering or a Security Officer.
/// </summary>
public sealed class PolicyReview
{
    public const int NotesMaxLength = ChangeContent.TextMaxLength;

    private PolicyReview() { }

    public Guid Id { get; private set; }
    public Guid ReviewedById { get; private set; }
    public DateTime ReviewedAt { get; private set; }

    /// <summary>The version in force when it was reviewed.</summary>
    public Guid PolicyVersionId { get; private set; }
    public PolicyReviewOutcome Outcome { get; private set; }

    /// <summary>What was looked at and what is to change.</summary>
    public string Notes { get; private set; } = "";

    public static Result<PolicyReview> Record(Guid id, PolicyVersion? inForce, PolicyReviewOutcome? outcome, string? notes, Actor reviewer, DateTime now)
    {
        if (reviewer.IsServiceAccount || !reviewer.HasAny(Role.HeadOfEngineering, Role.SecurityOfficer))
            return new RoleRequired("review the policy", [nameof(Role.HeadOfEngineering), nameof(Role.SecurityOfficer)]);
        if (inForce is null)
            return new NoPolicyInForce();
        var errors = new ValidationErrors();
        if (outcome is null)
            errors.Add("outcome", "Say whether the policy stays unchanged or needs changes (unchanged, changesNeeded).");
        errors.Require("notes", notes, NotesMaxLength);
        if (errors.Any)
            return errors.ToResult().Error!;
        return new PolicyReview
        {
            Id = id,
            ReviewedById = reviewer.Id,
            ReviewedAt = now,
            PolicyVersionId = inForce.Id,
            Outcome = outcome!.Value,
            Notes = notes!,
        };
    }
}

/// <summary>What a policy review is at a moment (policy 6).</summary>
public enum PolicyReviewStatus
{
    /// <summary>No version is in force yet: there is nothing to review.</summary>
    NoPolicy,
    Current,
    /// <summary>Due within 30 days: the first reminder.</summary>
    DueWithin30Days,
    /// <summary>Due within 7 days: the second reminder.</summary>
    DueWithin7Days,
    Overdue,
}

/// <summary>
/// The review cycle (policy 6): the next review is due twelve months after the last look at the policy — a recorded review,
/// or a new version coming into force, which its two owners read whole to approve — with reminders 30 and 7 days before and
/// overdue after. The clock keeps it, not a person remembering.
/// </summary>
public static class PolicyReviewCycle
{
    public const int ReviewEveryMonths = 12;
    public static readonly TimeSpan FirstReminder = TimeSpan.FromDays(30);
    public static readonly TimeSpan SecondReminder = TimeSpan.FromDays(7);

    public static DateTime? NextReviewDue(DateTime? lastReviewedAt, DateTime? inForceSince)
    {
        var last = lastReviewedAt is { } r && (inForceSince is not { } f || r > f) ? lastReviewedAt : inForceSince;
        return last?.AddMonths(ReviewEveryMonths);
    }

    public static PolicyReviewStatus StatusAt(DateTime? due, DateTime now) => due switch
    {
        null => PolicyReviewStatus.NoPolicy,
        { } d when now > d => PolicyReviewStatus.Overdue,
        { } d when d - now <= SecondReminder => PolicyReviewStatus.DueWithin7Days,
        { } d when d - now <= FirstReminder => PolicyReviewStatus.DueWithin30Days,
        _ => PolicyReviewStatus.Current,
    };
}

public sealed record NoPolicyInForce()
    : DomainError(ErrorKind.Conflict, "no-policy-in-force", "No policy is in force",
        "No version of the policy is in force yet: propose one, and have a Head of Engineering and a Security Officer approve it.");
