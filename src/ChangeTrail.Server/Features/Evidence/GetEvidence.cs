using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Evidence;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Evidence;

/// <summary>GET /evidence/{id}: what a file said; GET /evidence/{id}/file: the file itself, byte for byte as uploaded.</summary>
public static class GetEvidence
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/evidence/{id:guid}", HandleAsync).RequireAccess(Scopes.ChangesRead).WithName(nameof(GetEvidence)).WithTags("Pipeline")
            .WithSummary("An evidence file's counts, findings, hash and change");
        api.MapGet("/evidence/{id:guid}/file", DownloadAsync).RequireAccess(Scopes.ChangesRead).WithName("DownloadEvidence").WithTags("Pipeline")
            .WithSummary("Download an evidence file as it was uploaded; its SHA-256 is the one its ledger record holds");
    }

    private static async Task<Results<Ok<EvidenceResponse>, ProblemHttpResult>> HandleAsync(Guid id, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var found = await db.Evidence.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (found is null)
            return Problems.From(new RecordNotFound($"Evidence {id}"));
        var change = found.ChangeRequestId is { } changeId
            ? await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().Where(c => c.Id == changeId).Select(c => (long?)c.Number).SingleOrDefaultAsync(cancellationToken)
            : null;
        return TypedResults.Ok(await EvidenceView.BuildAsync(found, change is { } n ? $"CR-{n}" : null, db, cancellationToken));
    }

    private static async Task<IResult> DownloadAsync(Guid id, ChangeTrailDbContext db, EvidenceStore store, CancellationToken cancellationToken)
    {
        var found = await db.Evidence.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (found is null)
            return Problems.From(new RecordNotFound($"Evidence {id}"));
        var file = store.OpenRead(found.Sha256);
        if (file is null)
            return Problems.From(new RecordNotFound($"The stored file of evidence {id} (sha256 {found.Sha256})"));
        var contentType = found.Format switch
        {
            EvidenceFormat.Sarif => "application/sarif+json",
            _ => "application/xml",
        };
        return TypedResults.File(file, contentType, found.FileName, enableRangeProcessing: false);
    }
}
