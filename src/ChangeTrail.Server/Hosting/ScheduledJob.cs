using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Hosting;

/// <summary>
/// A job run every <see cref="Interval"/> of the app's <see cref="TimeProvider"/> (tests move it), once at start-up
/// too. A failed round is logged and the next one tries again; an interval of zero or less turns the job off.
/// </summary>
public abstract class ScheduledJob(TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>What the job does, for the log: "Signing ledger checkpoints", "The retention purge".</summary>
    protected abstract string Name { get; }

    protected abstract Task RunRoundAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
        {
            if (logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("{Job} is off: its interval is zero.", Name);
            return;
        }
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    await RunRoundAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "{Job} failed; the next round tries again.", Name);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>
    /// On PostgreSQL, takes the transaction-scoped advisory lock <paramref name="key"/> in <paramref name="db"/>'s open
    /// transaction, so that of several instances one does a round and the others skip it; false when another holds it.
    /// Always true on SQLite, where there is one instance.
    /// </summary>
    protected static async Task<bool> TryLockRoundAsync(ChangeTrailDbContext db, long key, CancellationToken cancellationToken) =>
        db is not PostgresChangeTrailDbContext
        || await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({key}) AS \"Value\"").SingleAsync(cancellationToken);
}
