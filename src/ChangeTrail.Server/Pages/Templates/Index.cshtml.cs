using ChangeTrail.Contracts;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Features.Templates;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

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

    /// <summary>The API's request, so the form goes through the same use case and rules as POST /templates.</summary>
    public TemplateRequest ToRequest() =>
        new(Name, Title, Description, Services, Environments, Purpose, Scope, ImpactAnalysis, RollbackPlan, TestPlan,
            RiskAnswers.Where(a => !string.IsNullOrEmpty(a.Value)).ToDictionary(a => a.Key, a => a.Value));
}

/// <summary>
/// The Standard change catalog (policy 3.1): every template, its status now (a published one past its twelve months shows as
/// expired), its expiry and how many changes it made, and the form a requestor writes a new one with, through the same use
/// case as the API.
/// </summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, IAuthorizationService authorization)
    : ChangeTrailPage
{
    [BindProperty(SupportsGet = true, Name = "status")] public string? Status { get; set; }

    [BindProperty]
    public TemplateForm Form { get; set; } = new();

    public IReadOnlyList<TemplateResponse> Templates { get; private set; } = [];

    /// <summary>Whether the catalog could be read with the filter asked for (a status that names none is refused).</summary>
    public bool Listed { get; private set; }

    public bool CanWrite { get; private set; }

    public RiskQuestionnaire Questionnaire => questionnaire;

    public IReadOnlyList<ServiceResponse> ServiceChoices { get; private set; } = [];

    /// <summary>Every environment some service has, by name: a template may allow those its own services have.</summary>
    public IReadOnlyList<string> EnvironmentChoices { get; private set; } = [];

    /// <summary>The form's fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public IReadOnlyCollection<string> FormKeys =>
    [
        "Form.Name", "Form.Title", "Form.Description", "Form.Services", "Form.Environments", "Form.Purpose", "Form.Scope",
        "Form.ImpactAnalysis", "Form.RollbackPlan", "Form.TestPlan", "Status",
        .. questionnaire.Questions.Select(q => RiskKey(q.Key)),
    ];

    public static string RiskKey(string question) => $"Form.RiskAnswers[{question}]";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostWriteAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, CreateTemplate.Access);
        if (!allowed.Succeeded)
            ShowRefusal(EndpointAuthorization.RefusalOf(allowed.Failure));
        else if (ModelState.IsValid)
        {
            var result = await CreateTemplate.ExecuteAsync(Form.ToRequest(), Viewer, db, clock.UtcNow, questionnaire, cancellationToken);
            if (result.IsSuccess)
            {
                var template = result.Value!;
                Notice = $"Template {template.Name} was written as a draft. It makes no Standard change until you submit it and it is approved.";
                return Redirect($"/templates/{template.Name}");
            }
            ShowRefusal(result.Error!);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CanWrite = (await authorization.AuthorizeAsync(User, CreateTemplate.Access)).Succeeded;
        var result = await ListTemplates.ExecuteAsync(Status, db, questionnaire, clock.UtcNow, cancellationToken);
        Listed = result.IsSuccess;
        if (result.IsSuccess)
            Templates = result.Value!;
        else if (Refusal is null)
            ShowRefusal(result.Error!, modelPrefix: "");
        if (CanWrite)
        {
            ServiceChoices = await ListServices.ExecuteAsync(db, cancellationToken);
            EnvironmentChoices = ServiceChoices.SelectMany(s => s.Environments.Select(e => e.Name))
                .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList();
        }
    }

    /// <summary>The filter's options: each status by the word the API takes.</summary>
    public static IEnumerable<string> Statuses => Enum.GetNames<TemplateStatus>();

    public bool IsStatus(string status) => string.Equals(Status, status, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every error recorded for a form field: a list field (services, environments) can have one per entry.</summary>
    public IReadOnlyList<string> ErrorsFor(string key) =>
        ModelState.TryGetValue(key, out var entry) ? entry.Errors.Select(e => e.ErrorMessage).ToList() : [];
}
