using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>The gate guards the environments a service declares; an unknown one cannot be judged, so it is refused.</summary>
public sealed class ServiceMustBeRegistered : IGateCondition
{
    public const string ServiceUnknown = "service-unknown";
    public const string EnvironmentUnknown = "environment-unknown";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Service is null)
            yield return new(ServiceUnknown, $"No service named {s.Question.Service} is registered.");
        else if (s.Environment is null)
            yield return new(EnvironmentUnknown,
                $"{s.Service.Name} has no environment named {s.Question.Environment}" +
                (s.Service.Environments.Count == 0 ? "." : $"; it has {string.Join(", ", s.Service.Environments.Select(e => e.Name))}."));
    }
}
