using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>What was approved is what ships: the commit deployed is one the change names.</summary>
public sealed class CommitMustBeInChange : IGateCondition
{
    public const string Code = "commit-not-in-change";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is not { } change)
            yield break;
        if (change.Commits.Count == 0)
            yield return new(Code, $"{change.DisplayNumber} names no commit; add {s.Question.Commit} to it (which voids its approvals).");
        else if (!change.Commits.Any(c => CommitRef.SameCommit(c.Sha, s.Question.Commit)))
            yield return new(Code, $"Commit {s.Question.Commit} is not one of the {change.Commits.Count} commit(s) {change.DisplayNumber} names.");
    }
}
