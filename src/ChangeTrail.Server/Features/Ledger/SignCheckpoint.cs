using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// POST /ledger/checkpoint (Auditor, Admin): a checkpoint of the log as it is now, signed at once when the log grew since
/// the latest — say before an audit sample — and refused (503 <c>ledger-inconsistent</c>) if the log no longer extends
/// what this server signed.
/// </summary>
public static class SignCheckpoint
{
    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapPost("/checkpoint", HandleAsync).RequireAccess(Scopes.LedgerRead, Role.Auditor, Role.Admin).WithName(nameof(SignCheckpoint))
            .WithSummary("Sign a checkpoint of the log now (Auditor, Admin)").Produces<string>(StatusCodes.Status200OK, "text/plain");

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> HandleAsync(LedgerCheckpoints checkpoints,
        CancellationToken cancellationToken)
    {
        var current = await checkpoints.CurrentAsync(cancellationToken);
        return current.IsSuccess ? TypedResults.Text(current.Value!.Note, GetCheckpoint.ContentType) : Problems.From(current.Error!);
    }
}
