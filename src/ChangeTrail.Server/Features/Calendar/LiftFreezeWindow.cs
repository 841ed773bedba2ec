using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>
/// DELETE /freeze-windows/{id}: lifts a freeze from now on. The record stays, with who lifted it and when, so the calendar and
/// every past decision made under it can still be explained.
/// </summary>
public static class LiftFreezeWindow
{
    public static void Map(RouteGroupBuilder freezes) =>
        freezes.MapDelete("/{id:guid}", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(LiftFreezeWindow))
            .WithSummary("Lift a freeze window from now on; its record is kept");

    private static async Task<Results<Ok<FreezeWindowResponse>, ProblemHttpResult>> HandleAsync(Guid id, ClaimsPrincipal user,
        ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(id, user.ToActor(), db, clock.UtcNow, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
    }

    public static async Task<Result<FreezeWindowResponse>> ExecuteAsync(Guid id, Actor admin, ChangeTrailDbContext db, DateTime now,
        CancellationToken cancellationToken)
    {
        var freeze = await db.FreezeWindows.SingleOrDefaultAsync(f => f.Id == id, cancellationToken);
        if (freeze is null)
            return new RecordNotFound($"Freeze window {id}");
        var lifted = freeze.Lift(admin, now);
        if (!lifted.IsSuccess)
            return lifted.Error!;
        db.Record(LedgerSubjects.FreezeWindow, admin.Id, "lifted", freeze, now);
        await db.SaveChangesAsync(cancellationToken);
        return (await FreezeWindowView.BuildAsync([freeze], db, now, cancellationToken))[0];
    }
}
