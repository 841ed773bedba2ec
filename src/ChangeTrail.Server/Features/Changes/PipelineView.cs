using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Deployments;
using ChangeTrail.Server.Features.Evidence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>What pipelines reported about a change: its evidence, every gate decision with its reasons, its deployments.</summary>
public sealed record PipelineView(IReadOnlyList<EvidenceResponse> Evidence, IReadOnlyList<DeploymentDto> Deployments,
    IReadOnlyList<GateDecisionDto> GateDecisions)
{
    /// <summary>The most a change's page lists of each; the API's list endpoints page through the rest.</summary>
    public const int MaxListed = 200;

    public static async Task<PipelineView> BuildAsync(ChangeRequest change, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var evidence = await db.Evidence.AsNoTracking().Where(e => e.ChangeRequestId == change.Id)
            .OrderByDescending(e => e.UploadedAt).Take(MaxListed).ToListAsync(cancellationToken);
        var deployments = await db.Deployments.AsNoTracking().Where(d => d.ChangeRequestId == change.Id)
            .OrderByDescending(d => d.StartedAt).Take(MaxListed).ToListAsync(cancellationToken);
        var decisions = await db.GateDecisions.AsNoTracking().Where(d => d.ChangeRequestId == change.Id)
            .OrderByDescending(d => d.At).Take(MaxListed).ToListAsync(cancellationToken);

        var people = evidence.Select(e => e.UploadedById).Concat(decisions.Select(d => d.AskedById)).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        PersonRef Person(Guid id) => new(id, names.GetValueOrDefault(id, "(unknown)"));

        return new PipelineView(
            evidence.Select(e => EvidenceView.Of(e, change.DisplayNumber, Person(e.UploadedById))).ToList(),
            await DeploymentView.BuildAsync(deployments, db, cancellationToken),
            decisions.Select(d => new GateDecisionDto(d.Id, d.Allowed ? Gate.AskGate.Allow : Gate.AskGate.Deny,
                d.Reasons.Select(r => new GateReasonDto(r.Code, r.Message)).ToList(), d.Service, d.Environment, d.Production, d.Commit, d.Artifact,
                Person(d.AskedById), d.Credential, d.At, Gate.AskGate.WaiversOf(d))).ToList());
    }
}
