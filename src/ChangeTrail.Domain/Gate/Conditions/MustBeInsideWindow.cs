using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>Policy 3.2's implementation timeline: production changes happen inside the window that was approved.</summary>
public sealed class MustBeInsideWindow : IGateCondition
{
    public const string Code = "outside-window";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is not { } change || !s.IsProduction)
            yield break;
        if (change.PlannedStart is not { } start || change.PlannedEnd is not { } end)
        {
            // An emergency is made at once; its window, if any, is documented afterwards (policy 3.6).
            if (change.Type != ChangeType.Emergency)
                yield return new(Code, $"{change.DisplayNumber} has no planned window.");
            yield break;
        }
        if (s.Now < start)
            yield return new(Code, $"{change.DisplayNumber}'s window opens at {start:yyyy-MM-dd HH:mm} UTC; it is now {s.Now:yyyy-MM-dd HH:mm} UTC.");
        else if (s.Now > end)
            yield return new(Code, $"{change.DisplayNumber}'s window closed at {end:yyyy-MM-dd HH:mm} UTC; it is now {s.Now:yyyy-MM-dd HH:mm} UTC.");
    }
}
