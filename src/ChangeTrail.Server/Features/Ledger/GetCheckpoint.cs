using ChangeTrail.Persistence;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// GET /ledger/checkpoint: the latest signed checkpoint as C2SP signed-note text, signed first if the log grew
/// since. Public: it reveals a size and a hash, and anyone holding copies can later catch a rewritten log.
/// </summary>
public static class GetCheckpoint
{
    public const string ContentType = "text/plain; charset=utf-8";

    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/checkpoint", HandleAsync).AllowAnonymous().WithName(nameof(GetCheckpoint))
            .WithSummary("The latest signed checkpoint (C2SP signed note)").Produces<string>(StatusCodes.Status200OK, "text/plain");

    private static async Task<ContentHttpResult> HandleAsync(LedgerCheckpoints checkpoints, CancellationToken cancellationToken) =>
        TypedResults.Text((await checkpoints.CurrentAsync(cancellationToken)).Note, ContentType);
}
