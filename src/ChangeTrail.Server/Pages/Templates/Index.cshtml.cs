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

/// <summary>
/// The Standard change catalog (policy 3.1): every template, its status now (a published one past its twelve months shows as
/// expired), its expiry and how many changes it made, and the form a requestor writes a new one with, through the same use
/// case as the API.
/// </summary>
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, IAuthorizationService authorization)
    : ChangeTrailPage, ITemplateFormPage
{
    [BindProperty(SupportsGet = true, Name = "status")] public string? Status { get; set; }

    [BindProperty]
    public TemplateForm Form { get; set; } = new();

    public IReadOnlyList<TemplateResponse> Templates { get; private set; } = [];

    /// <summary>Whether the catalog could be read with the filter asked for (a status that names none is refused).</summary>
    public bool Listed { get; private set; }

    public bool CanWrite { get; private set; }

    public RiskQuestionnaire Questionnaire => questionnaire;

    public TemplateChoices Choices { get; private set; } = TemplateChoices.None;

    public bool NameEditable => true;

    /// <summary>The form's fields and the filter, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public IReadOnlyCollection<string> FormKeys => [.. TemplateForm.Keys(questionnaire, withName: true), "Status"];

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
            Choices = await TemplateChoices.LoadAsync(db, cancellationToken);
    }

    /// <summary>The filter's options: each status by the word the API takes.</summary>
    public static IEnumerable<string> Statuses => Enum.GetNames<TemplateStatus>();

    public bool IsStatus(string status) => string.Equals(Status, status, StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<string> ErrorsFor(string key) => TemplateForm.ErrorsFor(ModelState, key);
}
