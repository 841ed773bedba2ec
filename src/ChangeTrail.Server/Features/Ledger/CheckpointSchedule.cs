using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// Signs a checkpoint every <c>ChangeTrail:Ledger:CheckpointInterval</c> when the log grew, so signed tree
/// heads exist even when nobody asks for one. On PostgreSQL the instances share the work through a
/// transaction-scoped advisory lock: one signs, the others skip that round.
/// </summary>
public sealed class CheckpointSchedule(IServiceScopeFactory scopes, TimeProvider time,
    IOptions<ChangeTrailOptions> options, ILogger<CheckpointSchedule> logger) : ScheduledJob(time, logger)
{
    /// <summary>The advisory lock's key: "CTLEDGER" in ASCII, unlikely to meet another application's.</summary>
    public const long AdvisoryLockKey = 0x4354_4C45_4447_4552;

    protected override TimeSpan Interval => options.Value.Ledger.CheckpointInterval;

    protected override string Name => "Signing scheduled ledger checkpoints";

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>
    /// One round: the new checkpoint, or null when the log did not grow, another instance holds the lock, or the log is
    /// inconsistent with what this server signed (<see cref="LedgerAnchor"/> has said so, and nothing is signed).
    /// </summary>
    public async Task<LedgerCheckpoint?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await TryLockRoundAsync(db, AdvisoryLockKey, cancellationToken))
            return null;
        var signed = await scope.ServiceProvider.GetRequiredService<LedgerCheckpoints>().SignIfGrownAsync(cancellationToken);
        // Committed either way: a refusal queued its ledger.inconsistent notification in this transaction.
        await transaction.CommitAsync(cancellationToken);
        return signed.IsSuccess ? signed.Value : null;
    }
}
