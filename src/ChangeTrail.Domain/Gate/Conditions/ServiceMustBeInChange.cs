using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>Policy 3.2's scope: a change deploys the services it names, and no other.</summary>
public sealed class ServiceMustBeInChange : IGateCondition
{
    public const string Code = "service-not-in-change";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is { } change && s.Service is { } service && !change.Services.Contains(service.Id))
            yield return new(Code, $"{change.DisplayNumber} does not name the service {service.Name}.");
    }
}
