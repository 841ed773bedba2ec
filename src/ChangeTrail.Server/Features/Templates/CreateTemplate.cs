using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>POST /templates: a requestor writes a Standard change template, a draft until it is submitted and approved.</summary>
public static class CreateTemplate
{
    /// <summary>Who may write one: the endpoint's policy, which the catalog's page checks too before its form goes through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor);

    public static void Map(RouteGroupBuilder templates) =>
        templates.MapPost("/", HandleAsync).RequireAuthorization(Access).WithName(nameof(CreateTemplate))
            .WithSummary("Write a Standard change template (a draft): documentation, services, allowed environments and a Low risk assessment");

    private static async Task<Results<Created<TemplateResponse>, ProblemHttpResult>> HandleAsync(TemplateRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, clock.UtcNow, questionnaire, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/templates/{result.Value!.Name}", result.Value)
            : Problems.From(result.Error!);
    }

    public static async Task<Result<TemplateResponse>> ExecuteAsync(TemplateRequest body, Actor author, ChangeTrailDbContext db, DateTime now,
        RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var content = await TemplateInput.ResolveAsync(body.Title, body.Description, body.Services, body.Environments, body.Purpose, body.Scope,
            body.ImpactAnalysis, body.RollbackPlan, body.TestPlan, body.RiskAnswers, db, questionnaire, cancellationToken);
        if (!content.IsSuccess)
            return content.Error!;
        var created = ChangeTemplate.Create(Guid.NewGuid(), body.Name?.Trim(), content.Value!, author, now);
        if (!created.IsSuccess)
            return created.Error!;
        var template = created.Value!;
        if (await db.ChangeTemplates.AnyAsync(t => t.Name == template.Name, cancellationToken))
            return new TemplateNameTaken(template.Name);
        db.ChangeTemplates.Add(template);
        db.Record(LedgerSubjects.ChangeTemplate, author.Id, "created", template, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another request took the name between the check and the insert: the unique index kept one.
            if (await NameTakenSinceAsync(db, template, cancellationToken))
                return new TemplateNameTaken(template.Name);
            throw;
        }
        return (await TemplateView.BuildAsync([template], db, questionnaire, now, cancellationToken))[0];
    }

    private static async Task<bool> NameTakenSinceAsync(ChangeTrailDbContext db, ChangeTemplate template, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        db.DiscardRecorded();
        return await db.ChangeTemplates.AnyAsync(t => t.Name == template.Name, cancellationToken);
    }
}

public sealed record TemplateNameTaken(string Name)
    : DomainError(ErrorKind.Conflict, "template-name-taken", "The name is taken",
        $"A template named {Name} exists, or existed: a name means one template forever, so pipelines naming it cannot be confused."), IFieldErrors
{
    public IReadOnlyDictionary<string, string[]> FieldErrors => new Dictionary<string, string[]> { ["name"] = [Detail] };
}
