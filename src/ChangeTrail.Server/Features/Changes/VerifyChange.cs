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
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>
/// POST /changes/{id}/verify: policy 3.5's post-deployment verification, by outcome and notes, or resting on an uploaded smoke
/// test's results (<c>evidence</c>): without an outcome the evidence decides it, and an outcome the evidence contradicts is refused.
/// Success → Verified (closable); failure → Failed, and the change's rollback plan is what comes next.
/// </summary>
public static class VerifyChange
{
    public static void Map(RouteGroupBuilder changes, LifecycleAction verify) =>
        changes.MapPost("/{idOrNumber}/verify", async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> (string idOrNumber,
                [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] VerifyRequest? body, HttpContext http, ClaimsPrincipal user,
                ChangeCommand command, ChangeTrailDbContext db, RiskQuestionnaire questionnaire, Clock clock, CancellationToken cancellationToken) =>
            {
                var actor = user.ToActor();
                var expected = ChangeHttp.ExpectedVersion(http);
                var result = body?.Evidence is { } evidence
                    ? await ExecuteAsync(idOrNumber, actor, body, evidence, command, db, expected, cancellationToken)
                    : await ChangeLifecycle.ExecuteAsync(verify, idOrNumber, actor, new LifecycleInput(Outcome: body?.Outcome, Notes: body?.Notes),
                        expected, command, await ChangeRules.LoadAsync(db, questionnaire, clock.UtcNow, cancellationToken), cancellationToken);
                return result.ToHttp(http);
            })
            .RequireAccess(verify.Scope)
            .WithName("VerifyChange")
            .WithSummary(verify.Summary + "; or cite an uploaded smoke test's results (evidence), which then decide the outcome");

    public static Task<Result<ChangeResponse>> ExecuteAsync(string idOrNumber, Actor actor, VerifyRequest body, Guid evidenceId,
        ChangeCommand command, ChangeTrailDbContext db, int? expectedVersion, CancellationToken cancellationToken) =>
        command.RunAsync(idOrNumber, actor, expectedVersion, async (change, _, now, ct) =>
        {
            var evidence = await db.Evidence.AsNoTracking().SingleOrDefaultAsync(e => e.Id == evidenceId, ct);
            if (evidence is null || evidence.ChangeRequestId != change.Id)
                return ValidationFailed.For("evidence", $"No evidence {evidenceId} was uploaded for {change.DisplayNumber}.");
            var shown = evidence.Passes ? VerificationOutcome.Success : VerificationOutcome.Failed;
            if (body.Outcome is { } outcome && outcome != shown)
                return ValidationFailed.For("outcome",
                    $"The evidence cited ({evidence.FileName}) shows the verification {(evidence.Passes ? "succeeded" : "failed")}; " +
                    "cite other evidence or none.");
            return change.Verify(actor, body.Outcome ?? shown, body.Notes, now, evidence.Id);
        }, OnConflict.Refuse, cancellationToken);
}
