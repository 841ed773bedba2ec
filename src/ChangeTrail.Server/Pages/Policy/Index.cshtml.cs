using ChangeTrail.Contracts;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Features.Policy;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Policy;

/// <summary>The review form as a browser posts it: the outcome by the word the API takes.</summary>
public sealed class ReviewForm
{
    public string? Outcome { get; set; }
    public string? Notes { get; set; }

    /// <summary>
    /// The API's request, so the form goes through the same use case and rules as POST /policy/reviews. An outcome that names
    /// none (a number included, which Enum.TryParse would take) is no outcome: the rule then says what to choose.
    /// </summary>
    public PolicyReviewRequest ToRequest() =>
        new(Enum.GetValues<PolicyReviewOutcome>().Select(o => (PolicyReviewOutcome?)o)
                .FirstOrDefault(o => string.Equals(o.ToString(), Outcome, StringComparison.OrdinalIgnoreCase)),
            Notes);
}

/// <summary>The proposal form as a browser posts it: the whole text in Markdown, and what changed.</summary>
public sealed class ProposalForm
{
    public string? Text { get; set; }
    public string? Summary { get; set; }

    /// <summary>The API's request, so the form goes through the same use case and rules as POST /policy/versions.</summary>
    public ProposePolicyVersionRequest ToRequest() => new(Text, Summary);
}

/// <summary>
/// The Change Management Policy (policy 6): the version in force, rendered; where its review cycle stands; every version and
/// every review; and, for its owners, the forms to record a review and to propose a new version, through the same use cases
/// and authorization as the API.
/// </summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock, IAuthorizationService authorization, Notifier notifier)
    : ChangeTrailPage
{
    /// <summary>The forms' fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static readonly string[] FormKeys = ["Review.Outcome", "Review.Notes", "Proposal.Text", "Proposal.Summary"];

    /// <summary>The review form, kept when the review is refused.</summary>
    [BindProperty]
    public ReviewForm Review { get; set; } = new();

    /// <summary>The proposal form, kept when the proposal is refused.</summary>
    [BindProperty]
    public ProposalForm Proposal { get; set; } = new();

    public PolicyResponse Policy { get; private set; } = null!;

    public ReviewBanner Banner { get; private set; } = null!;

    public bool CanReview { get; private set; }

    /// <summary>Why one of the policy's owners cannot record a review now (no version is in force); null otherwise.</summary>
    public string? ReviewReason { get; private set; }

    public bool CanPropose { get; private set; }

    /// <summary>The outcomes a review may have, by the word the API takes, and what each means.</summary>
    public static IReadOnlyList<(string Value, string Label)> Outcomes { get; } =
    [
        ("unchanged", "Unchanged: still right as it stands"),
        ("changesNeeded", "Changes needed: a new version is to be proposed"),
    ];

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostReviewAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, RecordPolicyReview.Access);
        if (!allowed.Succeeded)
            ShowRefusal(EndpointAuthorization.RefusalOf(allowed.Failure), "Review");
        else if (ModelState.IsValid)
        {
            var now = clock.UtcNow;
            var result = await RecordPolicyReview.ExecuteAsync(Review.ToRequest(), Viewer, db, now, cancellationToken);
            if (result.IsSuccess)
            {
                var policy = result.Value!;
                Notice = $"Your review of policy {policy.Reviews[0].PolicyVersion} is recorded. The next review is due on " +
                         $"{Display.Instant(policy.NextReviewDue)} UTC.";
                return Redirect("/policy");
            }
            ShowRefusal(result.Error!, "Review");
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostProposeAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, ProposePolicyVersion.Access);
        if (!allowed.Succeeded)
            ShowRefusal(EndpointAuthorization.RefusalOf(allowed.Failure), "Proposal");
        else if (ModelState.IsValid)
        {
            var result = await ProposePolicyVersion.ExecuteAsync(Proposal.ToRequest(), Viewer, db, notifier, clock.UtcNow, cancellationToken);
            if (result.IsSuccess)
            {
                var version = result.Value!;
                Notice = $"Policy {version.Number} was proposed. It comes into force once a Head of Engineering and a Security Officer — " +
                         "two people, neither its proposer — approve it.";
                return Redirect($"/policy/versions/{version.Number}");
            }
            ShowRefusal(result.Error!, "Proposal");
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        Policy = await PolicyView.BuildAsync(db, now, cancellationToken);
        Banner = ReviewBanner.Of(Policy.ReviewStatus, Policy.NextReviewDue, now);
        // The proposal starts from the text in force, a new version being usually an edit of it; after a refused review too.
        // A refused proposal keeps what was typed: the form shows the posted value over this one.
        Proposal.Text ??= Policy.InForce?.Text;
        CanPropose = (await authorization.AuthorizeAsync(User, ProposePolicyVersion.Access)).Succeeded;
        // Only the policy's owners review it; others are not told why they cannot. An owner is told when there is nothing to review.
        if ((await authorization.AuthorizeAsync(User, RecordPolicyReview.Access)).Succeeded)
        {
            CanReview = Policy.InForce is not null;
            ReviewReason = CanReview ? null : new NoPolicyInForce().Detail;
        }
    }
}
