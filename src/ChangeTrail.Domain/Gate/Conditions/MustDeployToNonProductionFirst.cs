using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>Policy 3.4: a change is tested in a non-production environment before production — the very commit, deployed there successfully.</summary>
public sealed class MustDeployToNonProductionFirst : IGateCondition
{
    public const string Code = "not-deployed-to-nonprod-first";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (!s.IsProduction || s.Service is not { } service)
            yield break;
        var tested = s.Deployments.Any(d => !d.Production && d.Status == DeploymentStatus.Succeeded && d.ServiceId == service.Id &&
                                            CommitRef.SameCommit(d.Commit, s.Question.Commit));
        if (!tested)
        {
            var nonProduction = service.Environments.Where(e => !e.Production).Select(e => e.Name).ToList();
            yield return new(Code, $"Commit {s.Question.Commit} of {service.Name} has not been deployed successfully to a non-production environment" +
                                   (nonProduction.Count > 0 ? $" ({string.Join(", ", nonProduction)})" : "") + " first.");
        }
    }
}
