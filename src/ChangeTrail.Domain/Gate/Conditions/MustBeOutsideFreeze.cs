using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>
/// The change calendar's freezes: no production deployment of a frozen service while a freeze is in force, whenever the
/// change was approved. An emergency is exempt: it is the change a freeze makes room for (policy 3.6).
/// </summary>
public sealed class MustBeOutsideFreeze : IGateCondition
{
    public const string Code = InsideFreeze.FreezeWindowCode;

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (!s.IsProduction || s.Service is not { } service || s.Change?.Type == ChangeType.Emergency)
            yield break;
        if (s.Freezes.Covering(service.Id, s.Now) is { } freeze)
            yield return new(Code, $"{service.Name} is frozen now: {freeze.Describe()}.");
    }
}
