using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>Reads the approved exceptions a rule may find cited.</summary>
public static class ExceptionRegisters
{
    /// <summary>The approved exceptions not yet expired at <paramref name="now"/> (by index); the rule then asks about its own moment.</summary>
    public static async Task<ExceptionRegister> InForceAsync(ChangeTrailDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var approved = new List<PolicyException>();
        await foreach (var exception in CompiledQueries.For<Queries>(db).Approved(db, now).WithCancellation(cancellationToken))
            approved.Add(exception);
        return new ExceptionRegister(approved);
    }

    internal sealed class Queries
    {
        public readonly Func<ChangeTrailDbContext, DateTime, IAsyncEnumerable<PolicyException>> Approved =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, DateTime now) =>
                db.PolicyExceptions.AsNoTracking().Where(e => e.State == PolicyExceptionState.Approved && e.ExpiresAt > now));
    }
}
