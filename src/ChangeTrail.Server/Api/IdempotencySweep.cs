using ChangeTrail.Persistence;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Api;

/// <summary>Deletes idempotency records past their <see cref="IdempotencyMiddleware.Lifetime"/>, every hour.</summary>
public sealed class IdempotencySweep(IServiceScopeFactory scopes, TimeProvider time, Clock clock, ILogger<IdempotencySweep> logger)
    : ScheduledJob(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string Name => "Removing expired idempotency records";

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>One round: the number of records removed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var cutoff = clock.UtcNow - IdempotencyMiddleware.Lifetime;
        return await db.IdempotencyRecords.Where(r => r.CreatedAt <= cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
