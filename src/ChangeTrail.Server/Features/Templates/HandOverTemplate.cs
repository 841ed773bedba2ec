using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>
/// POST /templates/{idOrName}/hand-over: its author, or an Admin, makes another requestor the template's author. Only the
/// author revises and submits a template, and its approval lapses every twelve months, so without this a template would be
/// lost with the person who wrote it. Whoever wrote it before may not approve it (policy 3.7).
/// </summary>
public static class HandOverTemplate
{
    /// <summary>Who may hand over: a requestor (the template's own rule then asks for its author) or an Admin; the template's page checks it too.</summary>
    public static readonly AuthorizationPolicy Access = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor, Role.Admin);

    public static void Map(RouteGroupBuilder templates) =>
        templates.MapPost("/{idOrName}/hand-over", HandleAsync).RequireAuthorization(Access).WithName(nameof(HandOverTemplate))
            .WithSummary("Make another requestor the template's author (its author, or an Admin); former authors may not approve it");

    private static async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> HandleAsync(string idOrName, HandOverTemplateRequest body,
        ClaimsPrincipal user, RecordCommand command, ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire,
        CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(idOrName, body.Author, user.ToActor(), command, db, clock, questionnaire, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
    }

    public static Task<Result<TemplateResponse>> ExecuteAsync(string idOrName, string? author, Actor actor, RecordCommand command,
        ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        TemplateCommands.RunAsync(command, idOrName, actor, async (template, now) =>
        {
            // Who and when first, so a stranger or a retired template hears that rather than about the person named.
            var allowed = template.CanHandOver(actor, now);
            if (!allowed.IsSuccess)
                return allowed.Error!;
            if (ValidationFailed.Required("author", author, Identities.EmailMaxLength) is { } missing)
                return missing;
            if (await Identities.ActiveActorAsync(db, author!, cancellationToken) is not { } successor)
                return ValidationFailed.For("author", $"There is no active person '{author!.Trim()}'.");
            var handedOver = template.HandOver(actor, successor, now);
            return handedOver.IsSuccess ? "handed-over" : handedOver.Error!;
        }, OnConflict.Refuse, db, clock, questionnaire, cancellationToken);
}
