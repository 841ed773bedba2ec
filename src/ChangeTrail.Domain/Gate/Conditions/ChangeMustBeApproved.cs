using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>
/// Policy 3.3 and 3.7: production receives approved changes only (an emergency once it is under way). Testing environments
/// take a change at any point of its life except after it ended.
/// </summary>
public sealed class ChangeMustBeApproved : IGateCondition
{
    public const string NotApproved = "not-approved";
    public const string ChangeEnded = "change-ended";

    private static readonly ChangeState[] Ended = [ChangeState.Closed, ChangeState.Rejected, ChangeState.Cancelled, ChangeState.RolledBack];

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is not { } change)
            yield break;
        if (!s.IsProduction)
        {
            if (Ended.Contains(change.State))
                yield return new(ChangeEnded, $"{change.DisplayNumber} is {change.State}: nothing more is deployed under it.");
            yield break;
        }
        if (change.IsRejectedRetrospectively)
            yield return new(NotApproved, $"{change.DisplayNumber} was rejected by an approver; it must be rolled back, not deployed again.");
        else if (change.State is not (ChangeState.Approved or ChangeState.Implementing))
            yield return new(NotApproved, change.State switch
            {
                ChangeState.Draft when change.Type == ChangeType.Emergency =>
                    $"{change.DisplayNumber} is an emergency change not yet started: its implementer starts it first (policy 3.6).",
                ChangeState.Draft or ChangeState.Submitted =>
                    $"{change.DisplayNumber} is {change.State}: it has not been approved" +
                    (change.Approvals.AreComplete ? "." : $" (awaiting {string.Join(" and ", change.Approvals.DescribeOutstanding())})."),
                _ => $"{change.DisplayNumber} is {change.State}: only an Approved change, or one being implemented, may be deployed to production.",
            });
    }
}
