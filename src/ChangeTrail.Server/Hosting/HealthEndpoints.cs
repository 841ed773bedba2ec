using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Hosting;

public static class HealthEndpoints
{
    /// <summary>/healthz: the process answers. /readyz: the database answers and its schema is current.</summary>
    public static void MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async (ChangeTrailDbContext db, ILoggerFactory logs, CancellationToken ct) =>
        {
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
                return pending.Count == 0
                    ? Results.Ok(new { status = "ready" })
                    : Results.Json(new { status = "migrations-pending", pending }, statusCode: 503);
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
