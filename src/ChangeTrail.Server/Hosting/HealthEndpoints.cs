using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Ledger;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Hosting;

public static class HealthEndpoints
{
    /// <summary>
    /// /healthz: the process answers. /readyz: the database answers, its schema is current, and its ledger still extends
    /// the last checkpoint this server signed (<see cref="LedgerAnchor"/>; <c>ledger-inconsistent</c> otherwise).
    /// </summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async (ChangeTrailDbContext db, LedgerAnchor anchor, Clock clock, ILoggerFactory logs, CancellationToken ct) =>
        {
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
                if (pending.Count > 0)
                    return Results.Json(new { status = "migrations-pending", pending }, statusCode: 503);
                var consistent = await anchor.CheckAsync(db, await LedgerStore.SizeAsync(db, ct), clock.UtcNow, ct);
                return consistent.IsSuccess
                    ? Results.Ok(new { status = "ready" })
                    : Results.Json(new { status = "ledger-inconsistent" }, statusCode: 503);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The probe is anonymous: the reason (a host name, a port, a user, a path) goes to the log, not to the caller.
                logs.CreateLogger(typeof(HealthEndpoints)).LogWarning(e, "Not ready: the database does not answer.");
                return Results.Json(new { status = "database-unreachable" }, statusCode: 503);
            }
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
