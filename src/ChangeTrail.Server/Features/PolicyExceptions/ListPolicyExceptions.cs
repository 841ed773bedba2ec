using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>
/// The exception register: GET /exceptions (every exception, newest first, or those of one status), GET /exceptions/{idOrNumber},
/// and GET /exceptions/controls (what an exception may waive).
/// </summary>
public static class ListPolicyExceptions
{
    public static void Map(RouteGroupBuilder exceptions)
    {
        exceptions.MapGet("/", async Task<Results<Ok<IReadOnlyList<PolicyExceptionResponse>>, ProblemHttpResult>> (string? status,
                ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
            {
                var result = await ExecuteAsync(status, db, clock.UtcNow, cancellationToken);
                return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
            })
            .RequireAccess(Scopes.ChangesRead).WithName(nameof(ListPolicyExceptions))
            .WithSummary("List policy exceptions, newest first; status=requested|approved|rejected|revoked|expired filters");

        exceptions.MapGet("/controls", () => TypedResults.Ok(WaivableControl.All.Select(PolicyExceptionView.ControlOf).ToList()))
            .RequireAccess(Scopes.ChangesRead).WithName("ListWaivableControls")
            .WithSummary("The controls an exception may waive, with their policy clause and the gate reasons each lifts");

        exceptions.MapGet("/{idOrNumber}", async Task<Results<Ok<PolicyExceptionResponse>, ProblemHttpResult>> (string idOrNumber,
                ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
                await FindAsync(db.PolicyExceptions.AsNoTracking(), idOrNumber, cancellationToken) is { } exception
                    ? TypedResults.Ok((await PolicyExceptionView.BuildAsync([exception], db, clock.UtcNow, cancellationToken))[0])
                    : Problems.From(NotFound(idOrNumber)))
            .RequireAccess(Scopes.ChangesRead).WithName("GetPolicyException").WithSummary("Read a policy exception (id, EX-3 or 3)");
    }

    /// <summary>The register, newest first: every exception, or those whose status at <paramref name="now"/> is <paramref name="status"/>.</summary>
    public static async Task<Result<IReadOnlyList<PolicyExceptionResponse>>> ExecuteAsync(string? status, ChangeTrailDbContext db, DateTime now,
        CancellationToken cancellationToken)
    {
        PolicyExceptionStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<PolicyExceptionStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return ValidationFailed.For("status",
                    $"One of {string.Join(", ", Enum.GetNames<PolicyExceptionStatus>().Select(n => n.ToLowerInvariant()))}.");
            wanted = parsed;
        }
        // The register is small (a handful a month); its status depends on the clock, so it is filtered here.
        var all = await db.PolicyExceptions.AsNoTracking().OrderByDescending(e => e.Number).ToListAsync(cancellationToken);
        var listed = wanted is { } w ? all.Where(e => e.StatusAt(now) == w).ToList() : all;
        return new Result<IReadOnlyList<PolicyExceptionResponse>>(await PolicyExceptionView.BuildAsync(listed, db, now, cancellationToken), null);
    }

    public static Task<PolicyException?> FindAsync(IQueryable<PolicyException> exceptions, string idOrNumber, CancellationToken cancellationToken) =>
        RecordKey.Parse(idOrNumber, RecordKey.ExceptionPrefix) switch
        {
            { Id: { } id } => exceptions.SingleOrDefaultAsync(e => e.Id == id, cancellationToken),
            { Number: { } number } => exceptions.SingleOrDefaultAsync(e => e.Number == number, cancellationToken),
            _ => Task.FromResult<PolicyException?>(null),
        };

    public static RecordNotFound NotFound(string idOrNumber) => new($"Policy exception {idOrNumber}");
}
