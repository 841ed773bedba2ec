using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features;
using ChangeTrail.Server.Features.Templates;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Templates;

/// <summary>
/// Its author rewrites a template that was never approved — a draft, or a rejected one, which becomes a draft again — in the
/// form it was written with, its name fixed, through the same use case and authorization as PUT /templates/{name}.
/// </summary>
public sealed class ReviseModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, RecordCommand command,
    IAuthorizationService authorization) : ChangeTrailPage, ITemplateFormPage
{
    [FromRoute]
    public string IdOrName { get; set; } = "";

    [BindProperty]
    public TemplateForm Form { get; set; } = new();

    public TemplateResponse Template { get; private set; } = null!;

    /// <summary>Whether the viewer may revise it now; when not, the page says why and shows no form.</summary>
    public bool CanRevise { get; private set; }

    public TemplateChoices Choices { get; private set; } = TemplateChoices.None;

    public RiskQuestionnaire Questionnaire => questionnaire;

    public bool NameEditable => false;

    public IReadOnlyCollection<string> FormKeys => TemplateForm.Keys(questionnaire, withName: false);

    public IReadOnlyList<string> ErrorsFor(string key) => TemplateForm.ErrorsFor(ModelState, key);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
            return NotFound();
        Form = TemplateForm.From(Template);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, ReviseTemplate.Access);
        var result = allowed.Succeeded
            ? await ReviseTemplate.ExecuteAsync(IdOrName, Form.ToRevision(), Viewer, command, db, clock, questionnaire, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var template = result.Value!;
            Notice = $"Template {template.Name} is revised. It is a draft: submit it for approval when it is ready.";
            return Redirect($"/templates/{template.Name}");
        }
        db.ChangeTracker.Clear();
        if (!await LoadAsync(cancellationToken))
            return NotFound();
        Form.Name = Template.Name;
        ShowRefusal(result.Error!);
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        if (await TemplateView.FindAsync(IdOrName, db, questionnaire, now, cancellationToken) is not (var template, var view))
            return false;
        Template = view;
        var revise = template.CanRevise(Viewer, now);
        var allowed = await authorization.AuthorizeAsync(User, ReviseTemplate.Access);
        CanRevise = revise.IsSuccess && allowed.Succeeded;
        if (CanRevise)
            Choices = await TemplateChoices.LoadAsync(db, cancellationToken);
        else if (Refusal is null)
            ShowRefusal(allowed.Succeeded ? revise.Error! : EndpointAuthorization.RefusalOf(allowed.Failure));
        return true;
    }
}
