using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Retention;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Retention;

/// <summary>GET /settings/retention: the period in force, who set it, and the cutoff it gives today.</summary>
public static class GetRetention
{
    public static void Map(RouteGroupBuilder settings) =>
        settings.MapGet("/retention", (ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
                ExecuteAsync(db, clock, cancellationToken))
            .RequireAccess(Scopes.LedgerRead, Role.Admin, Role.Auditor).WithName(nameof(GetRetention))
            .WithSummary("The retention period for change records, and the cutoff it gives today");

    public static async Task<RetentionResponse> ExecuteAsync(ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var setting = await db.RetentionSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (setting is null)
            return new RetentionResponse(null, null, null, null);
        var name = await db.Users.AsNoTracking().Where(u => u.Id == setting.ChangedById).Select(u => u.DisplayName)
            .SingleOrDefaultAsync(cancellationToken);
        var period = RetentionPeriod.Of(setting.Months);
        return new RetentionResponse(setting.Months, period.IsSuccess ? period.Value!.CutoffAt(clock.UtcNow) : null,
            new PersonRef(setting.ChangedById, name ?? "(unknown)"), setting.ChangedAt);
    }
}
