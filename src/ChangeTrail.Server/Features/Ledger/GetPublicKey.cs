using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// GET /ledger/public-key: the verifier key of the signing key on the first line, then those of earlier keys,
/// one a line, so checkpoints signed before a rotation still verify. Public by nature.
/// </summary>
public static class GetPublicKey
{
    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/public-key", Handle).AllowAnonymous().WithName(nameof(GetPublicKey))
            .WithSummary("The checkpoint verifier keys (signed-note format), current first")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");

    private static ContentHttpResult Handle(SigningKeyProvider key) => TypedResults.Text(key.PublicKeys, GetCheckpoint.ContentType);
}
