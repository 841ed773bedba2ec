using ChangeTrail.Contracts;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Evidence;

/// <summary>Evidence as the API shows it.</summary>
public static class EvidenceView
{
    public static async Task<EvidenceResponse> BuildAsync(TestEvidence evidence, string? change, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var uploader = await db.Users.AsNoTracking().Where(u => u.Id == evidence.UploadedById).Select(u => u.DisplayName)
            .SingleOrDefaultAsync(cancellationToken);
        return Of(evidence, change, new PersonRef(evidence.UploadedById, uploader ?? "(unknown)"));
    }

    public static EvidenceResponse Of(TestEvidence e, string? change, PersonRef uploadedBy) => new(
        e.Id, e.Sha256, e.Format.ToString().ToLowerInvariant(), e.Kind.ToString().ToLowerInvariant(), e.Passed, e.Failed, e.Skipped,
        new FindingCountsDto(e.ErrorFindings, e.WarningFindings, e.NoteFindings), e.Passes, change, e.Commit, e.Environment, e.FileName,
        e.SizeBytes, e.Tool, e.Findings.Select(f => new FindingDto(f.Level, f.RuleId, f.Message, f.Location)).ToList(), uploadedBy, e.UploadedAt);
}
