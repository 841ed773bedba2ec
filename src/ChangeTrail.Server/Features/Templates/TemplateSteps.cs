using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>
/// A template's life after it is written, each step a call of the template's own rule: POST /templates/{idOrName}/submit (for
/// approval, or re-approval once expired), /approvals (as for a Normal change: a Change Approver, and the Security Team where
/// its services ask), /retire (out of the catalog, with the reason).
/// </summary>
public static class TemplateSteps
{
    // Each step's endpoint policy, which the template's page checks too before its buttons go through the step's use case.

    /// <summary>Who may submit: a requestor (the template's own rule then asks for its author).</summary>
    public static readonly AuthorizationPolicy SubmitAccess = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor);

    /// <summary>Who may decide: an approver, with the person's own credential; as a Normal change's approvers.</summary>
    public static readonly AuthorizationPolicy DecideAccess =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesApprove, Role.ChangeApprover, Role.SecurityReviewer, Role.SecurityOfficer);

    /// <summary>Who may retire: its author (a requestor), a Change Approver or an Admin.</summary>
    public static readonly AuthorizationPolicy RetireAccess =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor, Role.ChangeApprover, Role.Admin);

    public static void Map(RouteGroupBuilder templates)
    {
        templates.MapPost("/{idOrName}/submit", async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> (string idOrName, ClaimsPrincipal user,
                RecordCommand command, ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
                ToHttp(await SubmitAsync(idOrName, user.ToActor(), command, db, clock, questionnaire, cancellationToken)))
            .RequireAuthorization(SubmitAccess).WithName("SubmitTemplate")
            .WithSummary("Submit a template for approval, or for re-approval once its approval expired; 422 names every missing field or a risk above Low");

        templates.MapPost("/{idOrName}/approvals", async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> (string idOrName,
                DecisionRequest body, ClaimsPrincipal user, RecordCommand command, ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire,
                CancellationToken cancellationToken) =>
                ToHttp(await DecideAsync(idOrName, body.Decision, body.Comment, user.ToActor(), command, db, clock, questionnaire, cancellationToken)))
            .RequireAuthorization(DecideAccess).RequireHuman()
            .WithName("DecideTemplate")
            .WithSummary("Approve or reject a submitted template, as a Normal change; approved, it is published for twelve months");

        templates.MapPost("/{idOrName}/retire", async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> (string idOrName,
                [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] RetireTemplateRequest? body, ClaimsPrincipal user, RecordCommand command,
                ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
                ToHttp(await RetireAsync(idOrName, body?.Reason, user.ToActor(), command, db, clock, questionnaire, cancellationToken)))
            .RequireAuthorization(RetireAccess).WithName("RetireTemplate")
            .WithSummary("Withdraw a template from the catalog, with the reason (its author, a ChangeApprover or an Admin); its changes stay");
    }

    private static Results<Ok<TemplateResponse>, ProblemHttpResult> ToHttp(Result<TemplateResponse> result) =>
        result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);

    public static Task<Result<TemplateResponse>> SubmitAsync(string idOrName, Actor author, RecordCommand command, ChangeTrailDbContext db,
        Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        TemplateCommands.RunAsync(command, idOrName, author, async (template, now) =>
        {
            // The services' profiles as they are now decide whether Security sign-off is needed, as at a change's submit.
            var services = await ChangeInput.ServiceProfilesAsync(db, template.Services, cancellationToken);
            var submitted = template.Submit(author, questionnaire, services, now);
            return submitted.IsSuccess ? template.Round == 1 ? "submitted" : "resubmitted" : submitted.Error!;
        }, OnConflict.Refuse, db, clock, questionnaire, cancellationToken);

    // Approvals racing each other are all recorded (re-read and retried).
    public static Task<Result<TemplateResponse>> DecideAsync(string idOrName, ApprovalDecision? decision, string? comment, Actor approver,
        RecordCommand command, ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        decision is not { } given
            ? Task.FromResult<Result<TemplateResponse>>(ValidationFailed.For("decision", "Say 'approve' or 'reject'."))
            : TemplateCommands.RunAsync(command, idOrName, approver, (template, now) =>
            {
                var decided = template.Decide(approver, given, comment, now);
                Result<string> action = !decided.IsSuccess
                    ? decided.Error!
                    : template.State switch
                    {
                        TemplateState.Published => "published",
                        TemplateState.Rejected => "rejected",
                        _ => "approved",
                    };
                return Task.FromResult(action);
            }, OnConflict.Retry, db, clock, questionnaire, cancellationToken);

    public static Task<Result<TemplateResponse>> RetireAsync(string idOrName, string? reason, Actor actor, RecordCommand command,
        ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        TemplateCommands.RunAsync(command, idOrName, actor, (template, now) =>
        {
            var retired = template.Retire(actor, reason, now);
            return Task.FromResult<Result<string>>(retired.IsSuccess ? "retired" : retired.Error!);
        }, OnConflict.Refuse, db, clock, questionnaire, cancellationToken);
}
