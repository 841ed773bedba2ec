using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Gate;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Gate;

/// <summary>
/// POST /gate: may this commit of this service go to this environment under this change? Every condition is judged over one
/// snapshot, every reason to deny is returned at once, and the question and its answer are written to the ledger in the
/// same transaction, so an auditor can replay each answer. A denial is an answer (200), not an error.
/// </summary>
public static class AskGate
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/gate", HandleAsync)
            // Any gate scope lets a token ask; a question about an environment its scopes do not cover is answered deny
            // (scope-missing) and recorded, so a misconfigured pipeline leaves a trace.
            .RequireAccess(Scopes.Gate, Role.Implementer)
            .WithName(nameof(AskGate)).WithTags("Pipeline")
            .WithSummary("Ask whether a commit may be deployed to an environment under a change: allow, or deny with every reason");

    private static async Task<Results<Ok<GateResponse>, ProblemHttpResult>> HandleAsync(GateRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, Clock clock, IOptions<ChangeTrailOptions> options, RiskQuestionnaire questionnaire, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), user.ScopesOf(), db, clock, options.Value.Gate.Policy, questionnaire, cancellationToken);
        if (!result.IsSuccess)
            return Problems.From(result.Error!);
        var answer = result.Value!;
        if (answer.Decision == Deny)
        {
            // A denial is the gate working, and the ledger holds it whole: the log line is for debugging. A question outside the
            // token's environments may be a pipeline misconfigured, or worse, so an operator sees that one.
            var level = answer.Reasons.Any(r => r.Code == TokenMustCoverEnvironment.Code) ? LogLevel.Warning : LogLevel.Debug;
            var logger = loggers.CreateLogger(typeof(AskGate));
            if (logger.IsEnabled(level))
                logger.Log(level, "Gate denied {Change} {Service} to {Environment} at {Commit} for {Actor}: {Reasons}",
                    body.Change, answer.Service, answer.Environment, answer.Commit, user.UserIdOf(), string.Join(", ", answer.Reasons.Select(r => r.Code)));
        }
        return TypedResults.Ok(answer);
    }

    public const string Allow = "allow";
    public const string Deny = "deny";

    public static async Task<Result<GateResponse>> ExecuteAsync(GateRequest body, Actor asker, IReadOnlySet<string> scopes,
        ChangeTrailDbContext db, Clock clock, GatePolicy policy, RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var asked = QuestionOf(body);
        if (!asked.IsSuccess)
            return asked.Error!;
        var question = asked.Value!;
        var now = clock.UtcNow;
        if (body.Template is { } template && string.IsNullOrWhiteSpace(body.Change))
        {
            var opened = await GateStandardChange.OpenAsync(template.Trim(), question, asker, scopes, db, questionnaire, now, cancellationToken);
            if (opened.Refusal is { } refusal)
                return await RecordAsync(GateDecision.Decide(Guid.NewGuid(), question, null, opened.Service?.Id,
                    opened.Environment?.Production ?? true, [refusal], [], asker.Id, asker.Credential, now), null, asker, db, now, cancellationToken);
            question = question with { Change = opened.Change!.DisplayNumber };
        }
        var snapshot = await GateSnapshots.LoadAsync(question, asker, scopes, policy, db, now, cancellationToken);
        var verdict = GateConditions.Judge(snapshot);
        var decision = GateDecision.Decide(Guid.NewGuid(), question, snapshot.Change?.Id, snapshot.Service?.Id, snapshot.IsProduction,
            verdict.Reasons, verdict.Waived, asker.Id, asker.Credential, now);
        return await RecordAsync(decision, snapshot.Change?.DisplayNumber, asker, db, now, cancellationToken);
    }

    /// <summary>The question and its answer, written to the ledger in the same transaction.</summary>
    private static async Task<Result<GateResponse>> RecordAsync(GateDecision decision, string? change, Actor asker, ChangeTrailDbContext db,
        DateTime now, CancellationToken cancellationToken)
    {
        db.GateDecisions.Add(decision);
        db.Record(LedgerSubjects.GateDecision, asker.Id, decision.Allowed ? "allowed" : "denied", decision, now);
        await db.SaveChangesAsync(cancellationToken);
        return ResponseOf(decision, change);
    }

    public static GateResponse ResponseOf(GateDecision decision, string? change) => new(
        decision.Allowed ? Allow : Deny,
        decision.Reasons.Select(r => new GateReasonDto(r.Code, r.Message)).ToList(),
        change, decision.Id, decision.Service, decision.Environment, decision.Production, decision.Commit, decision.Artifact, decision.At,
        WaiversOf(decision));

    public static IReadOnlyList<GateWaiverDto> WaiversOf(GateDecision decision) =>
        decision.Waivers.Select(w => new GateWaiverDto(w.Code, w.Message, w.Exception)).ToList();

    /// <summary>The question, or the fields that make it no question at all (422, nothing recorded).</summary>
    private static Result<GateQuestion> QuestionOf(GateRequest body)
    {
        var errors = new ValidationErrors();
        var byTemplate = !string.IsNullOrWhiteSpace(body.Template);
        if (string.IsNullOrWhiteSpace(body.Change) == !byTemplate)
            errors.Add(byTemplate ? "template" : "change", byTemplate
                ? "Name either the change or a Standard template, not both."
                : "Name the change request (CR-12) the deployment belongs to, or a Standard template (routine-patching).");
        errors.MaxLength("change", body.Change, GateDecision.ChangeReferenceMaxLength);
        errors.MaxLength("template", body.Template, GateDecision.ChangeReferenceMaxLength);
        errors.Require("service", body.Service, Service.NameMaxLength);
        errors.Require("environment", body.Environment, Service.NameMaxLength);
        CommitRef.Validate(errors, "commit", body.Commit);
        errors.MaxLength("artifact", body.Artifact, Deployment.ArtifactMaxLength);
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;
        // A question naming a template names its change once the gate has opened it; until then, the template.
        var change = byTemplate ? $"template:{body.Template!.Trim()}" : body.Change!.Trim();
        return new GateQuestion(change, body.Service!.Trim(), body.Environment!.Trim(), body.Commit!, body.Artifact);
    }
}
