using ChangeTrail.Domain.Common;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Ledger;

public sealed record NoCheckpointYet()
    : DomainError(ErrorKind.NotFound, "no-checkpoint-yet", "No checkpoint has been signed yet",
        "The server signs one on its schedule once the log has entries; an Auditor or Admin can ask for one now (POST /api/v1/ledger/checkpoint).");

/// <summary>
/// GET /ledger/checkpoint: the latest signed checkpoint as C2SP signed-note text. Public, and it only reads: it reveals
/// a size and a hash, and anyone holding copies can later catch a rewritten log. Signing is the schedule's, or
/// <see cref="SignCheckpoint"/>'s on demand.
/// </summary>
public static class GetCheckpoint
{
    public const string ContentType = "text/plain; charset=utf-8";

    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/checkpoint", HandleAsync).AllowAnonymous().WithName(nameof(GetCheckpoint))
            .WithSummary("The latest signed checkpoint (C2SP signed note)").Produces<string>(StatusCodes.Status200OK, "text/plain");

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> HandleAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        await LedgerCheckpoints.FindLatestAsync(db, cancellationToken) is { } latest
            ? TypedResults.Text(latest.Note, ContentType)
            : Problems.From(new NoCheckpointYet());
}
