namespace ChangeTrail.Domain.Approvals;

/// <summary>
/// Matches approvers to required slots so that distinct people fill distinct slots and as many
/// slots as possible are filled (maximum bipartite matching). Order of arrival does not matter:
/// someone holding two roles who approved first is moved to the other slot when that lets a later
/// approver fill theirs. A change's slots (<see cref="ApprovalSlot"/>) and the policy's sign-offs (<see cref="PolicySignOff"/>)
/// are matched alike.
/// </summary>
public static class ApprovalMatching
{
    /// <summary>For each required slot, the approver filling it, or null when it is still outstanding.</summary>
    public static IReadOnlyList<Guid?> Match<TSlot>(IReadOnlyList<TSlot> required, IReadOnlyList<(Guid Approver, IReadOnlyList<TSlot> Fillable)> approvers)
    {
        var slotOwner = new int[required.Count];
        Array.Fill(slotOwner, -1);

        for (var a = 0; a < approvers.Count; a++)
            TryAssign(a, new bool[required.Count]);

        return slotOwner.Select(o => o < 0 ? (Guid?)null : approvers[o].Approver).ToList();

        // Kuhn's augmenting path: give approver a a slot, displacing an earlier owner if they can move.
        bool TryAssign(int a, bool[] visited)
        {
            for (var s = 0; s < required.Count; s++)
            {
                if (visited[s] || !approvers[a].Fillable.Contains(required[s]))
                    continue;
                visited[s] = true;
                if (slotOwner[s] < 0 || TryAssign(slotOwner[s], visited))
                {
                    slotOwner[s] = a;
                    return true;
                }
            }
            return false;
        }
    }
}
