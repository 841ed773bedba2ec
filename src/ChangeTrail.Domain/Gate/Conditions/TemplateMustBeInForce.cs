using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.Templates;

namespace ChangeTrail.Domain.Gate.Conditions;

/// <summary>
/// Policy 3.1: a Standard change rests on its template's approval, so the template must still be published and unexpired when
/// the change is deployed, and the environment one the template allows.
/// </summary>
public sealed class TemplateMustBeInForce : IGateCondition
{
    public const string EnvironmentNotInTemplate = "environment-not-in-template";

    public IEnumerable<GateReason> Evaluate(GateSnapshot s)
    {
        if (s.Change is not { Type: ChangeType.Standard } change)
            yield break;
        if (s.Template is not { } template)
        {
            yield return new(TemplateNotPublished.Code, $"{change.DisplayNumber}'s Standard template no longer exists.");
            yield break;
        }
        if (template.CanMakeChanges(s.Now).Error is { } notInForce)
            yield return new(notInForce.Type, notInForce.Detail);
        if (!template.AllowsEnvironment(s.Question.Environment))
            yield return new(EnvironmentNotInTemplate,
                $"Template {template.Name} allows {string.Join(", ", template.Environments)}; not {s.Question.Environment}.");
    }
}
