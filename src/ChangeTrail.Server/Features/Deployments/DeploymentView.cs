using ChangeTrail.Contracts;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Deployments;

/// <summary>Deployments as the API and the pages show them: with their change's number and title, the service's and deployer's names.</summary>
public static class DeploymentView
{
    public static async Task<DeploymentDto> BuildAsync(Deployment deployment, ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        (await BuildAsync([deployment], db, cancellationToken))[0];

    public static async Task<IReadOnlyList<DeploymentDto>> BuildAsync(IReadOnlyList<Deployment> deployments, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var changeIds = deployments.Select(d => d.ChangeRequestId).Distinct().ToList();
        var serviceIds = deployments.Select(d => d.ServiceId).Distinct().ToList();
        var people = deployments.Select(d => d.DeployedById).Distinct().ToList();
        var changes = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().Where(c => changeIds.Contains(c.Id))
            .Select(c => new { c.Id, c.Number, c.Title }).ToDictionaryAsync(c => c.Id, cancellationToken);
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return deployments.Select(d => new DeploymentDto(d.Id,
            changes.TryGetValue(d.ChangeRequestId, out var c) ? $"CR-{c.Number}" : "(purged)", d.ChangeRequestId, c?.Title ?? "",
            services.GetValueOrDefault(d.ServiceId, "(unknown)"), d.Environment, d.Production, d.Commit, d.Artifact, d.Status, d.GateDecisionId,
            d.PipelineUrl, d.ExitCode, new PersonRef(d.DeployedById, names.GetValueOrDefault(d.DeployedById, "(unknown)")), d.StartedAt,
            d.FinishedAt)).ToList();
    }
}
