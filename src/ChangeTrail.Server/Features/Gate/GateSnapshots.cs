using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Changes;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Gate;

/// <summary>Reads what the gate's conditions judge, in one place, with one query per kind of record (each by an index).</summary>
public static class GateSnapshots
{
    public static async Task<GateSnapshot> LoadAsync(GateQuestion question, Actor asker, IReadOnlySet<string> scopes, GatePolicy policy,
        ChangeTrailDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var change = await db.ChangeRequests.AsNoTracking().ByIdOrNumber(question.Change).SingleOrDefaultAsync(cancellationToken);
        var name = Service.Normalize(question.Service);
        var service = await db.Services.AsNoTracking().SingleOrDefaultAsync(s => s.NormalizedName == name, cancellationToken);
        var environment = service?.Environments.FirstOrDefault(e => string.Equals(e.Name, question.Environment, StringComparison.OrdinalIgnoreCase));

        var key = CommitRef.KeyOf(question.Commit);
        var changeId = change?.Id;
        var evidence = (await db.Evidence.AsNoTracking()
                .Where(e => e.CommitKey == key && (e.ChangeRequestId == null || e.ChangeRequestId == changeId))
                .ToListAsync(cancellationToken))
            .Where(e => CommitRef.SameCommit(e.Commit, question.Commit))
            .ToList();
        var deployments = service is null
            ? []
            : (await db.Deployments.AsNoTracking().Where(d => d.ServiceId == service.Id && d.CommitKey == key).ToListAsync(cancellationToken))
                .Where(d => CommitRef.SameCommit(d.Commit, question.Commit))
                .ToList();
        return new GateSnapshot(question, change, service, environment, evidence, deployments, asker, scopes, policy, now);
    }
}
