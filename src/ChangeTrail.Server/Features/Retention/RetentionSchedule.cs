using ChangeTrail.Persistence;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Retention;

/// <summary>
/// Runs the retention purge every <c>ChangeTrail:Retention:PurgeInterval</c> (daily by default). On PostgreSQL the
/// instances take turns through an advisory lock held, in a transaction of its own, for the whole run.
/// </summary>
public sealed class RetentionSchedule(IServiceScopeFactory scopes, TimeProvider time, IOptions<ChangeTrailOptions> options,
    ILogger<RetentionSchedule> logger) : BackgroundService
{
    /// <summary>The advisory lock's key: "CTPURGE" in ASCII.</summary>
    public const long AdvisoryLockKey = 0x0043_5450_5552_4745;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Retention.PurgeInterval;
        if (interval <= TimeSpan.Zero)
        {
            logger.LogInformation("The retention purge schedule is off.");
            return;
        }
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "The retention purge failed; the next round tries again.");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>One run: what was purged, or null when another instance holds the lock.</summary>
    public async Task<PurgeReport?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var lockScope = scopes.CreateAsyncScope();
        var lockDb = lockScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await using var transaction = lockDb is PostgresChangeTrailDbContext ? await lockDb.Database.BeginTransactionAsync(cancellationToken) : null;
        if (transaction is not null)
        {
            var locked = await lockDb.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({AdvisoryLockKey}) AS \"Value\"")
                .SingleAsync(cancellationToken);
            if (!locked)
                return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PurgeExpiredChanges>().ExecuteAsync(cancellationToken);
    }
}
