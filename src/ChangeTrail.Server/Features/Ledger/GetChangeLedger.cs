using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// GET /changes/{idOrNumber}/ledger: the change's ledger entries, each with its inclusion proof in the tree of the
/// latest checkpoint (whose size and root the response names). Entries appended after that checkpoint have no
/// proof yet (<c>inclusionProof: null</c>); the next checkpoint covers them.
/// </summary>
public static class GetChangeLedger
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/changes/{idOrNumber}/ledger", HandleAsync).RequireAccess(Scopes.ChangesRead).WithName(nameof(GetChangeLedger))
            .WithTags("Change requests").WithSummary("A change request's ledger entries with inclusion proofs");

    private static async Task<Results<Ok<ChangeLedgerResponse>, ProblemHttpResult>> HandleAsync(string idOrNumber, ChangeTrailDbContext db,
        LedgerCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(idOrNumber, db, checkpoints, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<ChangeLedgerResponse>> ExecuteAsync(string idOrNumber, ChangeTrailDbContext db,
        LedgerCheckpoints checkpoints, CancellationToken cancellationToken)
    {
        var id = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().ByIdOrNumber(idOrNumber)
            .Select(c => (Guid?)c.Id).SingleOrDefaultAsync(cancellationToken);
        if (id is null)
            return new RecordNotFound($"Change request {idOrNumber}");

        var latest = await checkpoints.LatestAsync(cancellationToken);
        if (!latest.IsSuccess)
            return latest.Error!;
        var checkpoint = latest.Value!;
        var treeSize = checkpoint.TreeSize;
        var subjectId = id.Value.ToString();
        var entries = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.SubjectType == LedgerSubjects.ChangeRequest.Type && e.SubjectId == subjectId)
            .OrderBy(e => e.Index)
            .ToListAsync(cancellationToken);

        var proved = entries.Where(e => e.Index < treeSize).Select(e => e.Index).ToList();
        var subtrees = await LedgerStore.SubtreesAsync(db, proved.SelectMany(i => MerkleMath.InclusionProofNodes(i, treeSize)),
            cancellationToken);
        var dtos = entries.Select(e =>
        {
            var dto = LedgerStore.ToDto(e);
            var proof = e.Index < treeSize ? LedgerStore.Hex(MerkleMath.InclusionProof(e.Index, treeSize, subtrees)) : null;
            return new ChangeLedgerEntryDto(dto.Index, dto.At, dto.ActorId, dto.Action, dto.SubjectType, dto.SubjectId, dto.Record,
                dto.LeafHash, proof);
        }).ToList();
        return new ChangeLedgerResponse(treeSize, Convert.ToHexStringLower(checkpoint.RootHash), dtos);
    }
}
