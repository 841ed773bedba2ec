using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Changes;

/// <summary>A lifecycle step as the viewer sees it: a button, the reason they cannot take it, or nothing.</summary>
public sealed record StepView(LifecycleAction Action, string Label, bool Allowed, string? Reason, IReadOnlyList<string> Missing);

/// <summary>The post-implementation review form as it was sent, when it was refused.</summary>
public sealed record RefusedReviewForm(ReviewOutcome? Outcome, string? RootCause, string? FollowUps, string? Notes);

/// <summary>
/// One change request: every field, risk by dimension, required and given approvals, the timeline, and the
/// steps the viewer may take next. What may be done is asked of the aggregate's own Can* rules.
/// </summary>
public sealed class DetailModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, ChangeCommand command,
    LedgerCheckpoints checkpoints, IAuthorizationService authorization) : ChangeTrailPage
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        [ChangeLifecycle.Submit.Name] = "Submit for approval",
        [ChangeLifecycle.Start.Name] = "Start implementation",
        [ChangeLifecycle.Complete.Name] = "Mark implemented",
        [ChangeLifecycle.Verify.Name] = "Verify",
        [ChangeLifecycle.RollBack.Name] = "Record rollback",
        [ChangeLifecycle.Review.Name] = "Record review",
        [ChangeLifecycle.Close.Name] = "Close",
        [ChangeLifecycle.Cancel.Name] = "Cancel change",
        [ChangeLifecycle.PlaceLegalHold.Name] = "Place legal hold",
        [ChangeLifecycle.ReleaseLegalHold.Name] = "Release legal hold",
    };

    [FromRoute]
    public string IdOrNumber { get; set; } = "";

    public ChangeResponse Change { get; private set; } = null!;

    public RiskQuestionnaire Questionnaire => questionnaire;

    public IReadOnlyList<StepView> Steps { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool CanApprove { get; private set; }

    public bool CanReject { get; private set; }

    /// <summary>Why the viewer cannot decide, in words; null when they can, or when no decision is being collected.</summary>
    public string? DecisionReason { get; private set; }

    public bool CollectingDecisions { get; private set; }

    /// <summary>The change's ledger entries, each with its inclusion proof checked against the latest signed checkpoint.</summary>
    public ChangeLedgerResponse? Ledger { get; private set; }

    /// <summary>Whether an entry's inclusion proof leads to the checkpoint's root (null: appended after the checkpoint).</summary>
    public bool? Proven(ChangeLedgerEntryDto entry) =>
        entry.InclusionProof is not { } proof || Ledger is null
            ? null
            : MerkleMath.VerifyInclusion(Hash32.FromHex(entry.LeafHash), entry.Index, Ledger.TreeSize,
                proof.Select(Hash32.FromHex).ToArray(), Hash32.FromHex(Ledger.RootHash));

    /// <summary>How the verification went, from its timeline entry: null while the change has not been verified.</summary>
    public VerificationOutcome? VerificationOutcome =>
        Change.Timeline.LastOrDefault(e => e.Action is "verified" or "verification-failed") is { } entry
            ? entry.Action == "verified" ? Domain.Changes.VerificationOutcome.Success : Domain.Changes.VerificationOutcome.Failed
            : Change.VerifiedAt is null ? null
            : Change.State is ChangeState.Failed or ChangeState.RolledBack ? Domain.Changes.VerificationOutcome.Failed
            : Domain.Changes.VerificationOutcome.Success;

    /// <summary>The evidence file the verification cites, when it is among the change's listed files.</summary>
    public EvidenceResponse? VerificationEvidence =>
        Change.VerificationEvidence is { } id ? Change.Evidence.FirstOrDefault(e => e.Id == id) : null;

    /// <summary>The review the viewer sent and was refused, shown again in its form so nothing typed is lost; null otherwise.</summary>
    public RefusedReviewForm? RefusedReview { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    /// <summary>One handler for every step: the step's name picks the rule, the form supplies its input.</summary>
    public async Task<IActionResult> OnPostStepAsync(string step, ApprovalDecision? decision, VerificationOutcome? outcome, string? notes,
        int? version, ReviewOutcome? reviewOutcome, string? rootCause, string? followUps, CancellationToken cancellationToken)
    {
        var action = ChangeLifecycle.All.FirstOrDefault(a => a.Name == step);
        if (action is null)
            return BadRequest();
        var review = action == ChangeLifecycle.Review
            ? new PostImplementationReview(reviewOutcome, rootCause,
                (followUps ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), notes)
            : null;
        // The endpoint's own policy: a decision needs the person's own credential here as over the API.
        var allowed = await authorization.AuthorizeAsync(User, EndpointAuthorization.AccessPolicy(action.Scope));
        Result<ChangeResponse> result = allowed.Succeeded
            ? await ChangeLifecycle.ExecuteAsync(action, IdOrNumber, Viewer, new LifecycleInput(decision, outcome, notes, review), version,
                command, await ChangeRules.LoadAsync(db, questionnaire, clock.UtcNow, cancellationToken), cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            Notice = $"Done: {result.Value!.Number} is now {result.Value.State}.";
            return Redirect($"/changes/{result.Value.Number}");
        }
        db.ChangeTracker.Clear();
        if (!await LoadAsync(cancellationToken))
            return NotFound();
        ShowRefusal(result.Error!);
        RefusedReview = review is null ? null : new RefusedReviewForm(reviewOutcome, rootCause, followUps, notes);
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var change = await db.ChangeRequests.AsNoTracking().ByIdOrNumber(IdOrNumber).SingleOrDefaultAsync(cancellationToken);
        if (change is null)
            return false;
        var now = clock.UtcNow;
        Change = await ChangeView.BuildAsync(change, db, questionnaire, now, cancellationToken);
        var viewer = Viewer;

        CanEdit = change.CanEdit(viewer).IsSuccess;
        var rules = await ChangeRules.LoadAsync(db, questionnaire, now, cancellationToken);
        Steps = ChangeLifecycle.All.Where(a => a != ChangeLifecycle.Decide)
            .Select(a => View(a, a.Check(change, viewer, rules, now)))
            .OfType<StepView>()
            .ToList();

        var approve = change.CanDecide(viewer, ApprovalDecision.Approve, questionnaire, now);
        var reject = change.CanDecide(viewer, ApprovalDecision.Reject, questionnaire, now);
        CanApprove = approve.IsSuccess;
        CanReject = reject.IsSuccess;
        CollectingDecisions = approve.Error is not InvalidTransition;
        DecisionReason = CanApprove || CanReject || !CollectingDecisions ? null : approve.Error!.Detail;
        Ledger = (await GetChangeLedger.ExecuteAsync(change.Id.ToString(), db, checkpoints, cancellationToken)).Value;
        return true;
    }

    /// <summary>
    /// A step the state does not allow, or that belongs to someone else, is not shown at all; one the viewer
    /// could take but a rule stops is shown with the rule's reason; missing fields leave the button (its
    /// answer lists them) with the list beside it.
    /// </summary>
    private static StepView? View(LifecycleAction action, Result check) => check.Error switch
    {
        null => new StepView(action, Labels[action.Name], true, null, []),
        InvalidTransition or NotTheRequestor or NotTheImplementer or RoleRequired or AlreadyUnderLegalHold or NotUnderLegalHold => null,
        MissingRequiredFields missing => new StepView(action, Labels[action.Name], true, null, missing.Fields),
        var other => new StepView(action, Labels[action.Name], false, other.Detail, []),
    };

    public string Describe(string field) => FieldNames.Describe(field, questionnaire);

    public string QuestionText(string key) => questionnaire.Questions.FirstOrDefault(q => q.Key == key)?.Text ?? key;

    public string OptionLabel(string key, string option) =>
        questionnaire.Questions.FirstOrDefault(q => q.Key == key)?.Options.FirstOrDefault(o => o.Key == option)?.Label ?? option;
}
