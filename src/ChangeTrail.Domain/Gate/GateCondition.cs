using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate;

/// <summary>
/// One condition of the gate: zero reasons when it holds, else each reason it does not. Conditions that need a change,
/// a service or an environment the question did not resolve say nothing (another condition already said why).
/// </summary>
public interface IGateCondition
{
    IEnumerable<GateReason> Evaluate(GateSnapshot s);
}
