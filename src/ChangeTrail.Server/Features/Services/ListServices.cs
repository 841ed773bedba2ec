using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Services;

/// <summary>GET /services and GET /services/{idOrName}.</summary>
public static class ListServices
{
    public static void Map(RouteGroupBuilder services)
    {
        services.MapGet("/", async (ChangeTrailDbContext db, CancellationToken ct) => TypedResults.Ok(await ExecuteAsync(db, ct)))
            .RequireAccess(Scopes.ChangesRead).WithName(nameof(ListServices)).WithSummary("List services");

        services.MapGet("/{idOrName}", async Task<Results<Ok<ServiceResponse>, ProblemHttpResult>> (string idOrName, ChangeTrailDbContext db,
                CancellationToken ct) =>
                await ServiceReferences.FindAsync(db, idOrName, ct) is { } service
                    ? TypedResults.Ok(ToResponse(service))
                    : Problems.From(new Domain.Common.RecordNotFound($"Service {idOrName}")))
            .RequireAccess(Scopes.ChangesRead).WithName("GetService").WithSummary("Read a service by id or name");
    }

    /// <summary>Every service with its flags and environments, in name order: the API's list, and what a form picks services and environments from.</summary>
    public static async Task<IReadOnlyList<ServiceResponse>> ExecuteAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        (await db.Services.AsNoTracking().OrderBy(s => s.NormalizedName).ToListAsync(cancellationToken)).Select(ToResponse).ToList();

    /// <summary>Every service's name, in name order: what a page's filter or form offers to pick from.</summary>
    public static Task<List<string>> NamesAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        db.Services.AsNoTracking().OrderBy(s => s.NormalizedName).Select(s => s.Name).ToListAsync(cancellationToken);

    public static ServiceResponse ToResponse(Service s) => new(s.Id, s.Name, s.Repository, s.RegulatedData, s.SecurityControl,
        s.Environments.Select(e => new EnvironmentDto(e.Name, e.Production)).ToList());
}
