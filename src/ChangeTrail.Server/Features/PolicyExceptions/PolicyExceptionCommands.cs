using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>A step on one policy exception through <see cref="RecordCommand"/>, answered with the exception's view.</summary>
public static class PolicyExceptionCommands
{
    public static async Task<Result<PolicyExceptionResponse>> RunAsync(RecordCommand command, string idOrNumber, Actor actor,
        Func<PolicyException, DateTime, Result<string>> action, OnConflict onConflict, ChangeTrailDbContext db, Clock clock,
        CancellationToken cancellationToken)
    {
        var saved = await command.RunAsync(ListPolicyExceptions.NotFound(idOrNumber).What,
            d => ListPolicyExceptions.FindAsync(d.PolicyExceptions, idOrNumber, cancellationToken), LedgerSubjects.PolicyException, actor,
            (exception, now) => Task.FromResult(action(exception, now)),
            onConflict, cancellationToken);
        return saved.IsSuccess
            ? (await PolicyExceptionView.BuildAsync([saved.Value!], db, clock.UtcNow, cancellationToken))[0]
            : saved.Error!;
    }
}
