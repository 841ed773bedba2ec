using ChangeTrail.Contracts;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Services;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace ChangeTrail.Server.Pages.Templates;

/// <summary>The template form as a browser posts it: services and environments as ticked boxes, the risk answers by question.</summary>
public sealed class TemplateForm
{
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public List<string> Services { get; set; } = [];
    public List<string> Environments { get; set; } = [];
    public string? Purpose { get; set; }
    public string? Scope { get; set; }
    public string? ImpactAnalysis { get; set; }
    public string? RollbackPlan { get; set; }
    public string? TestPlan { get; set; }
    public Dictionary<string, string> RiskAnswers { get; set; } = [];

    /// <summary>The form filled with <paramref name="template"/> as it is, for its author to revise.</summary>
    public static TemplateForm From(TemplateResponse template) => new()
    {
        Name = template.Name,
        Title = template.Title,
        Description = template.Description,
        Services = template.Services.Select(s => s.Name).ToList(),
        Environments = [.. template.Environments],
        Purpose = template.Purpose,
        Scope = template.Scope,
        ImpactAnalysis = template.ImpactAnalysis,
        RollbackPlan = template.RollbackPlan,
        TestPlan = template.TestPlan,
        RiskAnswers = new Dictionary<string, string>(template.RiskAnswers),
    };

    /// <summary>The API's request, so the form goes through the same use case and rules as POST /templates.</summary>
    public TemplateRequest ToRequest() =>
        new(Name, Title, Description, Services, Environments, Purpose, Scope, ImpactAnalysis, RollbackPlan, TestPlan, Answers());

    /// <summary>The API's revision, so the form goes through the same use case and rules as PUT /templates/{name}.</summary>
    public ReviseTemplateRequest ToRevision() =>
        new(Title, Description, Services, Environments, Purpose, Scope, ImpactAnalysis, RollbackPlan, TestPlan, Answers());

    private Dictionary<string, string> Answers() => RiskAnswers.Where(a => !string.IsNullOrEmpty(a.Value)).ToDictionary(a => a.Key, a => a.Value);

    /// <summary>The form's fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static IReadOnlyList<string> Keys(RiskQuestionnaire questionnaire, bool withName) =>
    [
        .. withName ? ["Form.Name"] : Array.Empty<string>(),
        "Form.Title", "Form.Description", "Form.Services", "Form.Environments", "Form.Purpose", "Form.Scope",
        "Form.ImpactAnalysis", "Form.RollbackPlan", "Form.TestPlan",
        .. questionnaire.Questions.Select(q => RiskKey(q.Key)),
    ];

    public static string RiskKey(string question) => $"Form.RiskAnswers[{question}]";

    /// <summary>Every error recorded for a form field: a list field (services, environments) can have one per entry.</summary>
    public static IReadOnlyList<string> ErrorsFor(ModelStateDictionary state, string key) =>
        state.TryGetValue(key, out var entry) ? entry.Errors.Select(e => e.ErrorMessage).ToList() : [];
}

/// <summary>What the form offers to tick: the services, and every environment some service has, by name.</summary>
public sealed record TemplateChoices(IReadOnlyList<ServiceResponse> Services, IReadOnlyList<string> Environments)
{
    public static readonly TemplateChoices None = new([], []);

    public static async Task<TemplateChoices> LoadAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var services = await ListServices.ExecuteAsync(db, cancellationToken);
        return new TemplateChoices(services, services.SelectMany(s => s.Environments.Select(e => e.Name))
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList());
    }
}

/// <summary>A page that shows the template form (<c>_TemplateFields</c>): writing a template, or revising one.</summary>
public interface ITemplateFormPage
{
    TemplateForm Form { get; }

    TemplateChoices Choices { get; }

    RiskQuestionnaire Questionnaire { get; }

    /// <summary>False when revising: a template's name never changes.</summary>
    bool NameEditable { get; }

    IReadOnlyList<string> ErrorsFor(string key);
}
