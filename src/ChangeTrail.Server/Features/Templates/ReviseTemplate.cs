using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>
/// PUT /templates/{idOrName}: its author rewrites a template that was never approved — a draft, or one rejected, which
/// becomes a draft again — every field but its name. An approved template keeps the content it was approved with.
/// </summary>
public static class ReviseTemplate
{
    /// <summary>Who may revise: a requestor (the template's own rule then asks for its author); the template's page checks it too.</summary>
    public static readonly AuthorizationPolicy Access = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor);

    public static void Map(RouteGroupBuilder templates) =>
        templates.MapPut("/{idOrName}", HandleAsync).RequireAuthorization(Access).WithName(nameof(ReviseTemplate))
            .WithSummary("Rewrite a template that was never approved (a draft, or a rejected one, which becomes a draft again); its name stays");

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> HandleAsync(string idOrName, ReviseTemplateRequest body,
        ClaimsPrincipal user, RecordCommand command, ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire,
        CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(idOrName, body, user.ToActor(), command, db, clock, questionnaire, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
    }

    public static Task<Result<TemplateResponse>> ExecuteAsync(string idOrName, ReviseTemplateRequest body, Actor author, RecordCommand command,
        ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        TemplateCommands.RunAsync(command, idOrName, author, async (template, now) =>
        {
            // Who and when first, so a stranger or a template past revising hears that rather than about its fields.
            var allowed = template.CanRevise(author, now);
            if (!allowed.IsSuccess)
                return allowed.Error!;
            var content = await TemplateInput.ResolveAsync(body.Title, body.Description, body.Services, body.Environments, body.Purpose, body.Scope,
                body.ImpactAnalysis, body.RollbackPlan, body.TestPlan, body.RiskAnswers, db, questionnaire, cancellationToken);
            if (!content.IsSuccess)
                return content.Error!;
            var revised = template.Revise(author, content.Value!, now);
            return revised.IsSuccess ? "revised" : revised.Error!;
        }, OnConflict.Refuse, db, clock, questionnaire, cancellationToken);
}
