using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>
/// Policy 3.7, least privilege: a pipeline's token names the environments it may deploy to (<c>gate:&lt;environment&gt;</c>,
/// or <c>gate</c> for all). A question outside them is answered, and recorded, rather than refused unseen.
/// </summary>
public sealed class TokenMustCoverEnvironment : IGateCondition
{
    public const string Code = "scope-missing";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (Refusal(s.Scopes, s.Environment?.Name ?? s.Question.Environment) is { } refusal)
            yield return refusal;
    }

    /// <summary>The reason <paramref name="scopes"/> may not ask about <paramref name="environment"/>, or null when they may.</summary>
    public static GateReason? Refusal(IReadOnlySet<string> scopes, string environment)
    {
        var needed = Scopes.GatePrefix + environment;
        // Environment names are matched as the service's are: ignoring case.
        return scopes.Contains(Scopes.Gate) || scopes.Any(scope => string.Equals(scope, needed, StringComparison.OrdinalIgnoreCase))
            ? null
            : new(Code, $"Your token does not have the '{needed}' scope: it may not deploy to {environment}.");
    }
}
