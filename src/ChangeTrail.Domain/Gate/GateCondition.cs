using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate;

/// <summary>
/// One condition of the gate: zero reasons when it holds, else each reason it does not. Conditions that need a change or
/// a service the question did not resolve say nothing (another condition already said why); an environment the service does
/// not have is judged as strictly as production (<see cref="GateSnapshot.IsProduction"/>), so its answer lists everything
/// production would still need.
/// </summary>
public interface IGateCondition
{
    IEnumerable<GateReason> Evaluate(GateSnapshot s);
}
