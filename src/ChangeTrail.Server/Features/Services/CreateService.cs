using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Services;

public sealed record ServiceNameTaken(string Name)
    : DomainError(ErrorKind.Conflict, "service-name-taken", "Name taken", $"A service named {Name} already exists.");

/// <summary>POST /services: a system changes are made to, its environments, and the flags that call for Security sign-off.</summary>
public static class CreateService
{
    public static void Map(RouteGroupBuilder services) =>
        services.MapPost("/", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(CreateService))
            .WithSummary("Register a service and its environments");

    private static async Task<Results<Created<CreatedResponse>, ProblemHttpResult>> HandleAsync(CreateServiceRequest body,
        System.Security.Claims.ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.UserIdOf(), db, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/services/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedResponse>> ExecuteAsync(CreateServiceRequest body, Guid actorId, ChangeTrailDbContext db, Clock clock,
        CancellationToken cancellationToken)
    {
        var created = Service.Create(Guid.NewGuid(), body.Name ?? "", body.Repository, body.RegulatedData, body.SecurityControl,
            (body.Environments ?? []).Select(e => new ServiceEnvironment(e?.Name ?? "", e?.Production ?? false)).ToList(), clock.UtcNow);
        if (!created.IsSuccess)
            return created.Error!;
        var service = created.Value!;
        if (await db.Services.AnyAsync(s => s.NormalizedName == service.NormalizedName, cancellationToken))
            return new ServiceNameTaken(service.Name);
        db.Services.Add(service);
        db.Record(LedgerSubjects.Service, actorId, "created", service, service.CreatedAt);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Lost a race with another request registering the same name: the unique index said no.
            return new ServiceNameTaken(service.Name);
        }
        return new CreatedResponse(service.Id);
    }
}
