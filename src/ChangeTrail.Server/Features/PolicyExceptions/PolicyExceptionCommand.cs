using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>
/// The one way a use case changes a policy exception: load it, let it decide, save it with its ledger entry, and turn a lost
/// race into a 409 or a retry. Two sign-offs arriving together are both recorded; a revocation racing a sign-off has one winner.
/// </summary>
public sealed class PolicyExceptionCommand(ChangeTrailDbContext db, Clock clock)
{
    private const int MaxAttempts = 5;

    /// <summary>Applies <paramref name="action"/>: the rule, returning the ledger action to record it under (<c>approved</c>, <c>revoked</c>) or the refusal.</summary>
    public async Task<Result<PolicyExceptionResponse>> RunAsync(string idOrNumber, Actor actor, Func<PolicyException, DateTime, Result<string>> action,
        OnConflict onConflict, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var exception = await ListPolicyExceptions.FindAsync(db.PolicyExceptions, idOrNumber, cancellationToken);
            if (exception is null)
                return ListPolicyExceptions.NotFound(idOrNumber);
            var now = clock.UtcNow;
            var applied = action(exception, now);
            if (!applied.IsSuccess)
                return applied.Error!;
            db.Record(LedgerSubjects.PolicyException, actor.Id, applied.Value!, exception, now);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (await PolicyExceptionView.BuildAsync([exception], db, now, cancellationToken))[0];
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                db.DiscardRecorded();
                if (onConflict == OnConflict.Refuse || attempt == MaxAttempts)
                    return new ConcurrencyConflict(exception.DisplayNumber);
            }
        }
    }
}
