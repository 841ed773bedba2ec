using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>
/// Policy 3.7: nobody deploys to production a change they approved — least of all on nothing but their own approval — and a
/// person deploys only a change they are the named implementer of. The change's own rule, asked before anything is deployed.
/// </summary>
public sealed class DeployerMayImplement : IGateCondition
{
    public const string SeparationOfDuties = "separation-of-duties";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is not { } change || !s.IsProduction || change.DeployerRefusal(s.Asker) is not { } refusal)
            yield break;
        if (refusal is not ImplementerApprovalForbidden)
        {
            yield return new(refusal.Type, refusal.Detail);
            yield break;
        }
        var onlyApprover = change.Approvals.Active.Where(a => a.Decision == ApprovalDecision.Approve).All(a => a.ApproverId == s.Asker.Id);
        yield return new(SeparationOfDuties, onlyApprover
            ? $"You are the only approver of {change.DisplayNumber}; someone else must deploy it to production (policy 3.7)."
            : $"You approved {change.DisplayNumber}; someone else must deploy it to production (policy 3.7).");
    }
}
