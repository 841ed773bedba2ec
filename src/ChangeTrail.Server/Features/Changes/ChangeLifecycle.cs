using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>What a lifecycle step was given: a decision, a verification outcome, notes.</summary>
public sealed record LifecycleInput(ApprovalDecision? Decision = null, VerificationOutcome? Outcome = null, string? Notes = null,
    PostImplementationReview? Review = null);

/// <summary>
/// One lifecycle step: the aggregate's method that performs it (<see cref="Rule"/>) and the one that says
/// whether the viewer may take it now (<see cref="Check"/>), so the UI shows a button or the reason.
/// </summary>
public sealed record LifecycleAction(
    string Name,
    string Scope,
    OnConflict OnConflict,
    string Summary,
    Func<ChangeRequest, Actor, LifecycleInput, ChangeRules, DateTime, Result> Rule,
    Func<ChangeRequest, Actor, ChangeRules, DateTime, Result> Check);

/// <summary>
/// The lifecycle: POST /changes/{id}/&lt;step&gt; for the API, and the same steps for the web UI. Each is a
/// single call of the aggregate's method through <see cref="ChangeCommand"/>; the rules live in <see cref="ChangeRequest"/>.
/// </summary>
public static class ChangeLifecycle
{
    public static readonly LifecycleAction Submit = new("submit", Scopes.ChangesWrite, OnConflict.Refuse,
        "Submit a draft for approval; a 422 names every field policy 3.2 still requires, or the freeze its planned window falls in " +
        "(unless a cited exception lifts it)",
        (c, a, _, r, now) => c.Submit(a, r.Questionnaire, r.Freezes, r.Exceptions, now),
        (c, a, r, now) => c.CanSubmit(a, r.Questionnaire, r.Freezes, r.Exceptions, now));

    // Approvals racing each other are all recorded (re-read and retried); one racing a cancel gets 409.
    public static readonly LifecycleAction Decide = new("approvals", Scopes.ChangesApprove, OnConflict.Retry,
        "Approve or reject a change, subject to every separation-of-duties rule",
        (c, a, input, r, now) => input.Decision is { } decision
            ? c.Decide(a, decision, input.Notes, r.Questionnaire, now)
            : ValidationFailed.For("decision", "Say 'approve' or 'reject'."),
        (c, a, r, now) => c.CanDecide(a, ApprovalDecision.Approve, r.Questionnaire, now));

    public static readonly LifecycleAction Start = new("start", Scopes.ChangesWrite, OnConflict.Refuse,
        "Start implementing an approved change, or an emergency change at once",
        (c, a, _, _, now) => c.Start(a, now), (c, a, _, _) => c.CanStart(a));

    public static readonly LifecycleAction Complete = new("complete", Scopes.ChangesWrite, OnConflict.Refuse,
        "Mark the change implemented, awaiting post-deployment verification",
        (c, a, _, _, now) => c.Complete(a, now), (c, a, _, _) => c.CanComplete(a));

    public static readonly LifecycleAction Verify = new("verify", Scopes.ChangesWrite, OnConflict.Refuse,
        "Record post-deployment verification: success → Verified, failed → Failed",
        (c, a, input, _, now) => input.Outcome is { } outcome
            ? c.Verify(a, outcome, input.Notes, now)
            : ValidationFailed.For("outcome", "Say 'success' or 'failed'."),
        (c, a, _, _) => c.CanVerify(a));

    public static readonly LifecycleAction RollBack = new("rollback", Scopes.ChangesWrite, OnConflict.Refuse,
        "Record that a failed change was rolled back",
        (c, a, input, _, now) => c.RollBack(a, input.Notes, now), (c, a, _, _) => c.CanRollBack(a));

    public static readonly LifecycleAction Review = new("review", Scopes.ChangesApprove, OnConflict.Refuse,
        "Record the CAB's post-implementation review of an emergency change: outcome, root cause, follow-up actions",
        (c, a, input, _, now) => c.Review(a, input.Review ?? new PostImplementationReview(null, null, [], input.Notes), now),
        (c, a, _, _) => c.CanReview(a));

    public static readonly LifecycleAction Close = new("close", Scopes.ChangesWrite, OnConflict.Refuse,
        "Close a verified or rolled-back change",
        (c, a, _, r, now) => c.Close(a, r.Questionnaire, now), (c, a, r, _) => c.CanClose(a, r.Questionnaire));

    public static readonly LifecycleAction Cancel = new("cancel", Scopes.ChangesWrite, OnConflict.Refuse,
        "Cancel a change before it is implemented",
        (c, a, input, _, now) => c.Cancel(a, input.Notes, now), (c, a, _, _) => c.CanCancel(a));

    // A hold racing a transition is still recorded: it is re-read and re-applied, whatever the state became.
    public static readonly LifecycleAction PlaceLegalHold = new("legal-hold", Scopes.ChangesWrite, OnConflict.Retry,
        "Hold the change against retention purges, with the reason (Admin, Auditor)",
        (c, a, input, _, now) => c.PlaceLegalHold(a, input.Notes, now), (c, a, _, _) => c.CanPlaceLegalHold(a));

    public static readonly LifecycleAction ReleaseLegalHold = new("release-legal-hold", Scopes.ChangesWrite, OnConflict.Retry,
        "Release the legal hold; the retention period counts again from now (Admin, Auditor)",
        (c, a, _, _, now) => c.ReleaseLegalHold(a, now), (c, a, _, _) => c.CanReleaseLegalHold(a));

    public static readonly IReadOnlyList<LifecycleAction> All =
        [Submit, Decide, Start, Complete, Verify, RollBack, Review, Close, Cancel, PlaceLegalHold, ReleaseLegalHold];

    public static Task<Result<ChangeResponse>> ExecuteAsync(LifecycleAction action, string idOrNumber, Actor actor, LifecycleInput input,
        int? expectedVersion, ChangeCommand command, ChangeRules rules, CancellationToken cancellationToken) =>
        command.RunAsync(idOrNumber, actor, expectedVersion, (change, now) => action.Rule(change, actor, input, rules, now),
            action.OnConflict, cancellationToken);

    public static void Map(RouteGroupBuilder changes)
    {
        // The aggregate bounds what a step keeps (comment, notes, reason). NotesRequest's members are bounded here too, whether
        // the step keeps them or not: no member of a body is unbounded (docs/api.md, "Limits").
        Endpoint<NotesRequest>(changes, Submit, Bounded(_ => new()));
        Endpoint<DecisionRequest>(changes, Decide, body => new LifecycleInput(Decision: body?.Decision, Notes: body?.Comment)).RequireHuman();
        Endpoint<NotesRequest>(changes, Start, Bounded(_ => new()));
        Endpoint<NotesRequest>(changes, Complete, Bounded(_ => new()));
        VerifyChange.Map(changes, Verify);
        Endpoint<NotesRequest>(changes, RollBack, Bounded(body => new(Notes: body?.Notes)));
        Endpoint<ReviewRequest>(changes, Review, body => new LifecycleInput(Review: new PostImplementationReview(body?.Outcome, body?.RootCause,
            (body?.FollowUps ?? []).Select(f => f ?? "").ToList(), body?.Notes)));
        Endpoint<NotesRequest>(changes, Close, Bounded(_ => new()));
        Endpoint<NotesRequest>(changes, Cancel, Bounded(body => new(Notes: body?.Reason ?? body?.Notes)));
        Endpoint<LegalHoldRequest>(changes, PlaceLegalHold, body => new LifecycleInput(Notes: body?.Reason), HttpMethods.Post, "legal-hold");
        Endpoint<NotesRequest>(changes, ReleaseLegalHold, Bounded(_ => new()), HttpMethods.Delete, "legal-hold");
    }

    private static Func<NotesRequest?, Result<LifecycleInput>> Bounded(Func<NotesRequest?, LifecycleInput> input) => body =>
    {
        var errors = new ValidationErrors();
        errors.MaxLength("notes", body?.Notes, ChangeContent.TextMaxLength);
        errors.MaxLength("reason", body?.Reason, ChangeContent.TextMaxLength);
        return errors.Any ? errors.ToResult().Error! : input(body);
    };

    private static RouteHandlerBuilder Endpoint<TBody>(RouteGroupBuilder changes, LifecycleAction action, Func<TBody?, Result<LifecycleInput>> input,
        string method = "POST", string? path = null)
        where TBody : class =>
        changes.MapMethods($"/{{idOrNumber}}/{path ?? action.Name}", [method], async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> (
                string idOrNumber, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] TBody? body, HttpContext http, ClaimsPrincipal user,
                ChangeCommand command, ChangeTrailDbContext db, RiskQuestionnaire questionnaire, Clock clock, CancellationToken cancellationToken) =>
        {
            var given = input(body);
            if (!given.IsSuccess)
                return Problems.From(given.Error!);
            var rules = await ChangeRules.LoadAsync(db, questionnaire, clock.UtcNow, cancellationToken);
            return (await ExecuteAsync(action, idOrNumber, user.ToActor(), given.Value!, ChangeHttp.ExpectedVersion(http), command, rules,
                cancellationToken)).ToHttp(http);
        })
            .RequireAccess(action.Scope)
            .WithName(string.Concat(action.Name.Split('-').Select(w => $"{char.ToUpperInvariant(w[0])}{w[1..]}")) + "Change")
            .WithSummary(action.Summary);
}
