using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>The Standard change catalog: GET /templates (every template with its state, expiry and usage) and GET /templates/{idOrName}.</summary>
public static class ListTemplates
{
    public static void Map(RouteGroupBuilder templates)
    {
        templates.MapGet("/", async Task<Results<Ok<IReadOnlyList<TemplateResponse>>, ProblemHttpResult>> (string? status, ChangeTrailDbContext db,
                Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
            {
                var result = await ExecuteAsync(status, db, questionnaire, clock.UtcNow, cancellationToken);
                return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
            })
            .RequireAccess(Scopes.ChangesRead).WithName(nameof(ListTemplates))
            .WithSummary("The Standard change catalog, by name, with state, expiry and usage; status=draft|submitted|published|expired|rejected|retired filters");

        templates.MapGet("/{idOrName}", async Task<Results<Ok<TemplateResponse>, ProblemHttpResult>> (string idOrName, ChangeTrailDbContext db,
                Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
                await TemplateView.FindAsync(idOrName, db, questionnaire, clock.UtcNow, cancellationToken) is { } found
                    ? TypedResults.Ok(found.View)
                    : Problems.From(TemplateLookup.NotFound(idOrName)))
            .RequireAccess(Scopes.ChangesRead).WithName("GetTemplate").WithSummary("Read a Standard change template (id or name)");
    }

    /// <summary>The catalog, by name: every template, or those whose status at <paramref name="now"/> is <paramref name="status"/>.</summary>
    public static async Task<Result<IReadOnlyList<TemplateResponse>>> ExecuteAsync(string? status, ChangeTrailDbContext db,
        RiskQuestionnaire questionnaire, DateTime now, CancellationToken cancellationToken)
    {
        TemplateStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<TemplateStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return ValidationFailed.For("status",
                    $"One of {string.Join(", ", Enum.GetNames<TemplateStatus>().Select(n => n.ToLowerInvariant()))}.");
            wanted = parsed;
        }
        // A catalog holds tens of templates; its status depends on the clock, so it is filtered here.
        var all = await db.ChangeTemplates.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        var listed = wanted is { } w ? all.Where(t => t.StatusAt(now) == w).ToList() : all;
        return new Result<IReadOnlyList<TemplateResponse>>(await TemplateView.BuildAsync(listed, db, questionnaire, now, cancellationToken), null);
    }
}
