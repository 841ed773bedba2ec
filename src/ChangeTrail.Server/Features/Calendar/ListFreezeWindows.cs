using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>GET /freeze-windows (every freeze, lifted ones included, newest start first) and GET /freeze-windows/{id}.</summary>
public static class ListFreezeWindows
{
    public static void Map(RouteGroupBuilder freezes)
    {
        freezes.MapGet("/", async (ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
                TypedResults.Ok(await FreezeWindowView.BuildAsync(
                    await db.FreezeWindows.AsNoTracking().OrderByDescending(f => f.Start).ToListAsync(cancellationToken), db, clock.UtcNow,
                    cancellationToken)))
            .RequireAccess(Scopes.ChangesRead).WithName(nameof(ListFreezeWindows)).WithSummary("List freeze windows, lifted ones included");

        freezes.MapGet("/{id:guid}", async Task<Results<Ok<FreezeWindowResponse>, ProblemHttpResult>> (Guid id, ChangeTrailDbContext db,
                Clock clock, CancellationToken cancellationToken) =>
                await db.FreezeWindows.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken) is { } freeze
                    ? TypedResults.Ok((await FreezeWindowView.BuildAsync([freeze], db, clock.UtcNow, cancellationToken))[0])
                    : Problems.From(new RecordNotFound($"Freeze window {id}")))
            .RequireAccess(Scopes.ChangesRead).WithName("GetFreezeWindow").WithSummary("Read a freeze window");
    }
}
