using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>
/// The lifecycle endpoints: POST /changes/{id}/&lt;transition&gt;. Each one is a single call of the
/// aggregate's method through <see cref="ChangeCommand"/>; the rules live in <see cref="ChangeRequest"/>.
/// </summary>
public static class ChangeLifecycle
{
    public static void Map(RouteGroupBuilder changes)
    {
        Transition<NotesRequest>(changes, "submit", Scopes.ChangesWrite, OnConflict.Refuse,
            "Submit a draft for approval; a 422 names every field policy 3.2 still requires",
            (change, actor, _, questionnaire, now) => change.Submit(actor, questionnaire, now));

        // Approvals racing each other are all recorded (re-read and retried); one racing a cancel gets 409.
        Transition<DecisionRequest>(changes, "approvals", Scopes.ChangesApprove, OnConflict.Retry,
            "Approve or reject a change, subject to every separation-of-duties rule",
            (change, actor, body, questionnaire, now) => body?.Decision is { } decision
                ? change.Decide(actor, decision, body!.Comment, questionnaire, now)
                : ValidationFailed.For("decision", "Say 'approve' or 'reject'."))
            .RequireHuman();

        Transition<NotesRequest>(changes, "start", Scopes.ChangesWrite, OnConflict.Refuse,
            "Start implementing an approved change, or an emergency change at once",
            (change, actor, _, _, now) => change.Start(actor, now));

        Transition<NotesRequest>(changes, "complete", Scopes.ChangesWrite, OnConflict.Refuse,
            "Mark the change implemented, awaiting post-deployment verification",
            (change, actor, _, _, now) => change.Complete(actor, now));

        Transition<VerifyRequest>(changes, "verify", Scopes.ChangesWrite, OnConflict.Refuse,
            "Record post-deployment verification: success → Verified, failed → Failed",
            (change, actor, body, _, now) => body?.Outcome is { } outcome
                ? change.Verify(actor, outcome, body!.Notes, now)
                : ValidationFailed.For("outcome", "Say 'success' or 'failed'."));

        Transition<NotesRequest>(changes, "rollback", Scopes.ChangesWrite, OnConflict.Refuse,
            "Record that a failed change was rolled back",
            (change, actor, body, _, now) => change.RollBack(actor, body?.Notes, now));

        Transition<NotesRequest>(changes, "review", Scopes.ChangesApprove, OnConflict.Refuse,
            "Record the CAB's post-implementation review of an emergency change",
            (change, actor, body, _, now) => change.Review(actor, body?.Notes, now));

        Transition<NotesRequest>(changes, "close", Scopes.ChangesWrite, OnConflict.Refuse,
            "Close a verified or rolled-back change",
            (change, actor, _, questionnaire, now) => change.Close(actor, questionnaire, now));

        Transition<NotesRequest>(changes, "cancel", Scopes.ChangesWrite, OnConflict.Refuse,
            "Cancel a change before it is implemented",
            (change, actor, body, _, now) => change.Cancel(actor, body?.Reason ?? body?.Notes, now));
    }

    private static RouteHandlerBuilder Transition<TBody>(RouteGroupBuilder changes, string name, string scope, OnConflict onConflict, string summary,
        Func<ChangeRequest, Actor, TBody?, RiskQuestionnaire, DateTime, Result> rule)
        where TBody : class =>
        changes.MapPost($"/{{idOrNumber}}/{name}", async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> (
                string idOrNumber, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] TBody? body, HttpContext http, ClaimsPrincipal user, ChangeCommand command,
                RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
            {
                var actor = user.ToActor();
                var result = await command.RunAsync(idOrNumber, actor, ChangeHttp.ExpectedVersion(http),
                    (change, now) => rule(change, actor, body, questionnaire, now), onConflict, cancellationToken);
                return result.ToHttp(http);
            })
            .RequireAccess(scope)
            .WithName($"{char.ToUpperInvariant(name[0])}{name[1..]}Change")
            .WithSummary(summary);
}
