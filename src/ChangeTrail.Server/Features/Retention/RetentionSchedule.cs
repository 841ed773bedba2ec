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
    ILogger<RetentionSchedule> logger) : ScheduledJob(time, logger)
{
    /// <summary>The advisory lock's key: "CTPURGE" in ASCII.</summary>
    public const long AdvisoryLockKey = 0x0043_5450_5552_4745;

    protected override TimeSpan Interval => options.Value.Retention.PurgeInterval;

    protected override string Name => "The retention purge";

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>One run: what was purged, or null when another instance holds the lock.</summary>
    public async Task<PurgeReport?> RunOnceAsync(CancellationToken cancellationToken)
    {
        // On PostgreSQL the lock is held by a transaction of its own for the whole run, as the purge commits change by
        // change. Not on SQLite: its transactions take the database's write lock at once, which the purge needs.
        await using var lockScope = scopes.CreateAsyncScope();
        var lockDb = lockScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await using var transaction = lockDb is PostgresChangeTrailDbContext ? await lockDb.Database.BeginTransactionAsync(cancellationToken) : null;
        if (transaction is not null && !await TryLockRoundAsync(lockDb, AdvisoryLockKey, cancellationToken))
            return null;

        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PurgeExpiredChanges>().ExecuteAsync(cancellationToken);
    }
}
