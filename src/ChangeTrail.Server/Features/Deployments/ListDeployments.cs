using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Deployments;

/// <summary>GET /deployments?service=&amp;environment=&amp;change=: what went where, when, under which change — newest first.</summary>
public static class ListDeployments
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public sealed record Query(string? Service, string? Environment, string? Change, int Offset = 0, int Limit = DefaultLimit);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/deployments", HandleAsync).RequireAccess(Scopes.ChangesRead).WithName(nameof(ListDeployments)).WithTags("Pipeline")
            .WithSummary("Deployments per service and environment, newest first, with their change");

    private static async Task<Results<Ok<DeploymentPage>, ProblemHttpResult>> HandleAsync(string? service, string? environment, string? change,
        int? offset, int? limit, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(new Query(service, environment, change, offset ?? 0, limit ?? DefaultLimit), db, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
    }

    public static async Task<Result<DeploymentPage>> ExecuteAsync(Query query, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (query.Offset < 0)
            errors.Add("offset", "At least 0.");
        if (query.Limit is < 1 or > MaxLimit)
            errors.Add("limit", $"From 1 to {MaxLimit}.");
        errors.MaxLength("service", query.Service, Service.NameMaxLength);
        errors.MaxLength("environment", query.Environment, Service.NameMaxLength);
        errors.MaxLength("change", query.Change, 100);
        if (errors.Any)
            return (ValidationFailed)errors.ToResult().Error!;

        var deployments = db.Deployments.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Service))
        {
            var name = Service.Normalize(query.Service);
            var serviceId = await db.Services.AsNoTracking().Where(s => s.NormalizedName == name).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken);
            deployments = deployments.Where(d => d.ServiceId == serviceId);
        }
        if (!string.IsNullOrWhiteSpace(query.Environment))
        {
            var environment = query.Environment.Trim();
            // Environment names are stored as each service declares them; compared ignoring case, as everywhere. The database
            // translates ToLower; string.Equals with a comparison (CA1862) it cannot.
#pragma warning disable CA1862
            deployments = deployments.Where(d => d.Environment.ToLower() == environment.ToLowerInvariant());
#pragma warning restore CA1862
        }
        if (!string.IsNullOrWhiteSpace(query.Change))
        {
            var changeId = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().ByIdOrNumber(query.Change.Trim()).Select(c => (Guid?)c.Id)
                .SingleOrDefaultAsync(cancellationToken);
            deployments = deployments.Where(d => d.ChangeRequestId == changeId);
        }
        var total = await deployments.CountAsync(cancellationToken);
        var page = await deployments.OrderByDescending(d => d.StartedAt).ThenByDescending(d => d.Id).Skip(query.Offset).Take(query.Limit)
            .ToListAsync(cancellationToken);
        return new DeploymentPage(await DeploymentView.BuildAsync(page, db, cancellationToken), total, query.Offset, query.Limit);
    }
}
