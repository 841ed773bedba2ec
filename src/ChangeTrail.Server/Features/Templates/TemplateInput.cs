using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Services;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>
/// A template's content as a request names it (services by name or id, environments by name, risk answers by question) made
/// into the domain's <see cref="TemplateContent"/>: the same when a template is written and when it is revised.
/// </summary>
public static class TemplateInput
{
    /// <summary>The content, or the errors naming each field that names nothing (unknown service, environment or answer).</summary>
    public static async Task<Result<TemplateContent>> ResolveAsync(string? title, string? description, IReadOnlyList<string>? requestedServices,
        IReadOnlyList<string>? requestedEnvironments, string? purpose, string? scope, string? impactAnalysis, string? rollbackPlan, string? testPlan,
        IReadOnlyDictionary<string, string>? riskAnswers, ChangeTrailDbContext db, RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var services = await ServiceReferences.ResolveAsync(db, requestedServices, ChangeTemplate.MaxServices, errors, cancellationToken);
        var environments = (requestedEnvironments ?? []).Select(e => e?.Trim() ?? "").ToList();
        for (var i = 0; i < environments.Count && !errors.Any; i++)
        {
            if (!services.Any(s => s.Environments.Any(e => string.Equals(e.Name, environments[i], StringComparison.OrdinalIgnoreCase))))
                errors.Add($"environments[{i}]", $"None of the template's services has an environment '{environments[i]}'.");
        }
        var answers = riskAnswers ?? new Dictionary<string, string>();
        questionnaire.Validate(answers, errors);
        if (errors.Any)
            return errors.ToResult().Error!;
        return new TemplateContent(title, description, services.Select(s => s.Id).ToList(), environments, purpose, scope, impactAnalysis,
            rollbackPlan, testPlan, answers);
    }
}
