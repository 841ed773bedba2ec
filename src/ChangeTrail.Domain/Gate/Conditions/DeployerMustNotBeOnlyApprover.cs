using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>Policy 3.7: nobody deploys to production on nothing but their own approval.</summary>
public sealed class DeployerMustNotBeOnlyApprover : IGateCondition
{
    public const string Code = "separation-of-duties";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is not { } change || !s.IsProduction)
            yield break;
        var approvers = change.Approvals.Active.Where(a => a.Decision == ApprovalDecision.Approve).Select(a => a.ApproverId).Distinct().ToList();
        if (approvers.Count > 0 && approvers.All(id => id == s.Asker.Id))
            yield return new(Code, $"You are the only approver of {change.DisplayNumber}; someone else must deploy it to production.");
    }
}
