using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Evidence;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Evidence;

/// <summary>
/// An evidence file for a signed-in person, byte for byte as uploaded: the same file GET /api/v1/evidence/{id}/file serves to a
/// token, here for the session cookie (the API takes bearer tokens only). Anyone who may read changes may read their evidence.
/// </summary>
public sealed class DownloadModel(ChangeTrailDbContext db, EvidenceStore store) : ChangeTrailPage
{
    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await GetEvidence.OpenFileAsync(id, db, store, cancellationToken);
        if (!result.IsSuccess)
            return NotFound();
        var file = result.Value!;
        Response.Headers["X-Content-SHA256"] = file.Sha256;
        return File(file.Content, file.ContentType, file.FileName);
    }
}
