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
/// GET /ledger/proofs/inclusion?index=&amp;treeSize=: RFC 9162 §2.1.3 proof that leaf <c>index</c> is in the tree of
/// <c>treeSize</c> leaves (by default the latest checkpoint's), from O(log n) stored nodes read in one query.
/// </summary>
public static class GetInclusionProof
{
    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/proofs/inclusion", HandleAsync).RequireAccess(Scopes.LedgerRead).WithName(nameof(GetInclusionProof))
            .WithSummary("RFC 9162 inclusion proof of one entry");

    private static async Task<Results<Ok<InclusionProofResponse>, ProblemHttpResult>> HandleAsync(
        [FromQuery(Name = "index")] string? indexText, [FromQuery(Name = "treeSize")] string? treeSizeText, ChangeTrailDbContext db,
        LedgerCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var query = new LedgerQuery();
        var index = query.Read("index", indexText);
        var treeSize = query.Read("treeSize", treeSizeText);
        if (query.Malformed is { } malformed)
            return malformed;
        var result = await ExecuteAsync(index, treeSize, db, checkpoints, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<InclusionProofResponse>> ExecuteAsync(long? index, long? treeSize, ChangeTrailDbContext db,
        LedgerCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var size = await LedgerStore.SizeAsync(db, cancellationToken);
        var proved = await checkpoints.SizeOrLatestAsync(treeSize, cancellationToken);
        if (!proved.IsSuccess)
            return proved.Error!;
        var tree = proved.Value;
        var errors = new ValidationErrors();
        var treeIsValid = treeSize is null or >= 1 && tree <= size;
        if (treeSize is < 1)
            errors.Add("treeSize", "At least 1.");
        else if (tree > size)
            errors.Add("treeSize", $"The log holds only {size} entries.");
        if (index is null)
            errors.Add("index", "This parameter is required.");
        else if (index < 0)
            errors.Add("index", "At least 0.");
        else if (treeIsValid && index >= tree)
            errors.Add("index", $"The tree of {tree} entries has no entry {index}: the index must be below treeSize.");
        if (errors.Any)
            return errors.ToResult().Error!;

        var leaf = new NodeId(0, index!.Value);
        var subtrees = await LedgerStore.SubtreesAsync(db,
            [leaf, .. MerkleMath.InclusionProofNodes(leaf.Index, tree), .. MerkleMath.RootHashNodes(tree)], cancellationToken);
        var proof = MerkleMath.InclusionProof(leaf.Index, tree, subtrees);
        return new InclusionProofResponse(leaf.Index, tree, subtrees(leaf.Start, 1).ToHex(), MerkleMath.RootHash(tree, subtrees).ToHex(),
            LedgerStore.Hex(proof));
    }
}
