using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>
/// POST /freeze-windows: an admin freezes some services (or all) for a period, once or on a recurring schedule. From then on
/// no Normal change is submitted with a planned window inside it, and the gate denies production deployments during it; the
/// people of changes already submitted into it are told (<see cref="FreezeNotifications"/>).
/// </summary>
public static class CreateFreezeWindow
{
    public static void Map(RouteGroupBuilder freezes) =>
        freezes.MapPost("/", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(CreateFreezeWindow))
            .WithSummary("Define a freeze (blackout) window, one-off or recurring (cron), for some services or all");

    private static async Task<Results<Created<FreezeWindowResponse>, ProblemHttpResult>> HandleAsync(CreateFreezeWindowRequest body,
        ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock, Notifier notifier, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, notifier, clock.UtcNow, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/freeze-windows/{result.Value!.Id}", result.Value)
            : Problems.From(result.Error!);
    }

    public static async Task<Result<FreezeWindowResponse>> ExecuteAsync(CreateFreezeWindowRequest body, Actor admin, ChangeTrailDbContext db,
        Notifier notifier, DateTime now, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var services = await ServiceReferences.ResolveAsync(db, body.Services, FreezeWindow.MaxServices, errors, cancellationToken);
        if (errors.Any)
            return errors.ToResult().Error!;
        var created = FreezeWindow.Create(Guid.NewGuid(), body.Name, Clock.AsUtc(body.Start), Clock.AsUtc(body.End), services.Select(s => s.Id).ToList(),
            body.Recurrence, admin, now);
        if (!created.IsSuccess)
            return created.Error!;
        var freeze = created.Value!;
        db.FreezeWindows.Add(freeze);
        db.Record(LedgerSubjects.FreezeWindow, admin.Id, "created", freeze, now);
        await FreezeNotifications.AddAsync(db, notifier, freeze, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return (await FreezeWindowView.BuildAsync([freeze], db, now, cancellationToken))[0];
    }
}
