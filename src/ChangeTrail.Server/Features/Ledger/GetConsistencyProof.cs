using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// GET /ledger/proofs/consistency?from=&amp;to=: RFC 9162 §2.1.4 proof that the tree of <c>from</c> leaves is a prefix
/// of the tree of <c>to</c> leaves (by default the latest checkpoint's): the log was only appended to in between.
/// </summary>
public static class GetConsistencyProof
{
    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/proofs/consistency", HandleAsync).RequireAccess(Scopes.LedgerRead).WithName(nameof(GetConsistencyProof))
            .WithSummary("RFC 9162 consistency proof between two tree sizes");

    private static async Task<Results<Ok<ConsistencyProofResponse>, ProblemHttpResult>> HandleAsync(
        [FromQuery(Name = "from")] string? fromText, [FromQuery(Name = "to")] string? toText, ChangeTrailDbContext db,
        LedgerCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var query = new LedgerQuery();
        var from = query.Read("from", fromText);
        var to = query.Read("to", toText);
        if (query.Malformed is { } malformed)
            return malformed;
        var result = await ExecuteAsync(from, to, db, checkpoints, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<ConsistencyProofResponse>> ExecuteAsync(long? from, long? to, ChangeTrailDbContext db,
        LedgerCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var size = await LedgerStore.SizeAsync(db, cancellationToken);
        var proved = await checkpoints.SizeOrLatestAsync(to, cancellationToken);
        if (!proved.IsSuccess)
            return proved.Error!;
        var newSize = proved.Value;
        var errors = new ValidationErrors();
        if (newSize < 0)
            errors.Add("to", "At least 0.");
        else if (newSize > size)
            errors.Add("to", $"The log holds only {size} entries.");
        if (from is null)
            errors.Add("from", "This parameter is required.");
        else if (from < 0)
            errors.Add("from", "At least 0.");
        else if (from > newSize)
            errors.Add("from", $"Must not exceed to ({newSize}): a consistency proof runs from an older tree to a newer one.");
        if (errors.Any)
            return errors.ToResult().Error!;

        var oldSize = from!.Value;
        var subtrees = await LedgerStore.SubtreesAsync(db,
            [.. MerkleMath.ConsistencyProofNodes(oldSize, newSize), .. MerkleMath.RootHashNodes(oldSize), .. MerkleMath.RootHashNodes(newSize)],
            cancellationToken);
        var proof = MerkleMath.ConsistencyProof(oldSize, newSize, subtrees);
        return new ConsistencyProofResponse(oldSize, newSize, MerkleMath.RootHash(oldSize, subtrees).ToHex(),
            MerkleMath.RootHash(newSize, subtrees).ToHex(), LedgerStore.Hex(proof));
    }
}
