using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>Policy 3.8: every deployment is linked to a change record.</summary>
public sealed class ChangeMustExist : IGateCondition
{
    public const string Code = "change-not-found";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is null)
            yield return new(Code, $"No change request {s.Question.Change} exists (or you may not see it).");
    }
}
