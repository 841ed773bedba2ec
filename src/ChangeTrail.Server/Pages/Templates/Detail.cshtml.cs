using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Templates;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Pages.Changes;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Templates;

/// <summary>The Standard change form as a browser posts it: only the window, the commits and the implementer are the requestor's.</summary>
public sealed class StandardChangeForm
{
    public DateTime? PlannedStart { get; set; }
    public DateTime? PlannedEnd { get; set; }
    public string? Commits { get; set; }
    public string? Implementer { get; set; }

    /// <summary>The API's request for a Standard change of <paramref name="template"/>, so the form goes through POST /changes' use case.</summary>
    public ChangeFields ToFields(Guid template) => new(
        ChangeType.Standard, null, null, null, null, null, null, null, Clock.AsUtc(PlannedStart), Clock.AsUtc(PlannedEnd), null, null,
        string.IsNullOrWhiteSpace(Implementer) ? null : Implementer, ChangeForm.CommitsOf(Commits), null, template, null);
}

/// <summary>
/// One Standard change template: every field, the approvals of the current round and who gave each, the decisions of every
/// round, its expiry, usage and retirement, and what the viewer may do next — revise, submit, decide, hand over, retire, or make a Standard change
/// from it — asked of the template's own rules and taken through the same use cases and authorization as the API.
/// </summary>
public sealed class DetailModel(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, RecordCommand command,
    IAuthorizationService authorization) : ChangeTrailPage
{
    /// <summary>The forms' fields, by the keys their errors are shown under; any other error is listed at the top.</summary>
    public static readonly string[] FormKeys = ["Comment", "Reason", "Author", "Change.PlannedStart", "Change.PlannedEnd", "Change.Commits", "Change.Implementer"];

    [FromRoute]
    public string IdOrName { get; set; } = "";

    /// <summary>The decision's comment, kept when the decision is refused.</summary>
    [BindProperty]
    public string? Comment { get; set; }

    /// <summary>The retirement's reason, kept when the retirement is refused.</summary>
    [BindProperty]
    public string? Reason { get; set; }

    /// <summary>Who the template is handed to (an id), kept when the hand-over is refused.</summary>
    [BindProperty]
    public string? Author { get; set; }

    /// <summary>The Standard change form, kept when the change is refused.</summary>
    [BindProperty]
    public StandardChangeForm Change { get; set; } = new();

    public TemplateResponse Template { get; private set; } = null!;

    public bool CanSubmit { get; private set; }

    /// <summary>Why its author cannot submit it, in words; null when they can, or when submitting is not theirs or not of this state.</summary>
    public string? SubmitReason { get; private set; }

    /// <summary>Whether the viewer may rewrite it: its author, while it was never approved.</summary>
    public bool CanRevise { get; private set; }

    public bool CanApprove { get; private set; }

    public bool CanReject { get; private set; }

    /// <summary>Why the viewer cannot approve, in words; null when they can, or when no decision is being collected.</summary>
    public string? DecisionReason { get; private set; }

    public bool CanRetire { get; private set; }

    /// <summary>Whether the viewer may hand it to another author: its author, or an Admin.</summary>
    public bool CanHandOver { get; private set; }

    /// <summary>The people it may be handed to: active requestors other than its author.</summary>
    public IReadOnlyList<(string Id, string Name)> Requestors { get; private set; } = [];

    public bool CanMakeChange { get; private set; }

    /// <summary>Why a requestor cannot make a Standard change from it now (expired, not yet published...); null otherwise.</summary>
    public string? MakeChangeReason { get; private set; }

    public IReadOnlyList<(string Id, string Name)> Implementers { get; private set; } = [];

    public int ApprovalsGiven => Template.RequiredApprovals.Count(a => a.FilledBy is not null);

    public bool Expired => Template.Status == TemplateStatus.Expired;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostSubmitAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, TemplateSteps.SubmitAccess);
        var result = allowed.Succeeded
            ? await TemplateSteps.SubmitAsync(IdOrName, Viewer, command, db, clock, questionnaire, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var template = result.Value!;
            Notice = $"Template {template.Name} is submitted for {(template.Round > 1 ? "re-approval" : "approval")}: it needs " +
                     $"{string.Join(" and ", template.RequiredApprovals.Select(a => a.Description))}.";
            return Redirect($"/templates/{template.Name}");
        }
        return await RefusedAsync(result.Error!, "", cancellationToken);
    }

    public async Task<IActionResult> OnPostDecideAsync(ApprovalDecision? decision, CancellationToken cancellationToken)
    {
        // The endpoint's own policy: a decision needs the person's own credential here as over the API.
        var allowed = await authorization.AuthorizeAsync(User, TemplateSteps.DecideAccess);
        var result = allowed.Succeeded
            ? await TemplateSteps.DecideAsync(IdOrName, decision, Comment, Viewer, command, db, clock, questionnaire, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var template = result.Value!;
            Notice = template.Status switch
            {
                TemplateStatus.Published => $"Template {template.Name} is published: it makes Standard changes until {Display.Instant(template.ExpiresAt)} UTC.",
                TemplateStatus.Rejected => $"Template {template.Name} is rejected: it makes no Standard change.",
                _ => $"Your approval of template {template.Name} is recorded; it still awaits " +
                     $"{string.Join(" and ", template.RequiredApprovals.Where(a => a.FilledBy is null).Select(a => a.Description))}.",
            };
            return Redirect($"/templates/{template.Name}");
        }
        return await RefusedAsync(result.Error!, "", cancellationToken);
    }

    public async Task<IActionResult> OnPostRetireAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, TemplateSteps.RetireAccess);
        var result = allowed.Succeeded
            ? await TemplateSteps.RetireAsync(IdOrName, Reason, Viewer, command, db, clock, questionnaire, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            Notice = $"Template {result.Value!.Name} is retired: it makes no more Standard changes. The changes made from it stay on the record.";
            return Redirect($"/templates/{result.Value.Name}");
        }
        return await RefusedAsync(result.Error!, "", cancellationToken);
    }

    public async Task<IActionResult> OnPostHandOverAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, HandOverTemplate.Access);
        var result = allowed.Succeeded
            ? await HandOverTemplate.ExecuteAsync(IdOrName, Author, Viewer, command, db, clock, questionnaire, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var template = result.Value!;
            Notice = $"Template {template.Name} is handed to {template.Author.DisplayName}: they revise it and submit it for approval from now on.";
            return Redirect($"/templates/{template.Name}");
        }
        return await RefusedAsync(result.Error!, "", cancellationToken);
    }

    public async Task<IActionResult> OnPostMakeChangeAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, CreateChange.Access);
        if (!allowed.Succeeded)
            return await RefusedAsync(EndpointAuthorization.RefusalOf(allowed.Failure), "Change", cancellationToken);
        var template = await TemplateLookup.FindAsync(db.ChangeTemplates.AsNoTracking(), IdOrName, cancellationToken);
        if (template is null)
            return NotFound();
        if (!ModelState.IsValid)
            return await RefusedAsync(null, "Change", cancellationToken);
        var result = await CreateChange.ExecuteAsync(Change.ToFields(template.Id), Viewer, db, clock, questionnaire, cancellationToken);
        if (result.IsSuccess)
        {
            var change = result.Value!;
            Notice = $"{change.Number} is {change.State}: a Standard change from template {template.Name}. Deploy it through the gate inside its planned window.";
            return Redirect($"/changes/{change.Number}");
        }
        return await RefusedAsync(result.Error!, "Change", cancellationToken);
    }

    private async Task<IActionResult> RefusedAsync(DomainError? error, string modelPrefix, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        if (!await LoadAsync(cancellationToken))
            return NotFound();
        if (error is not null)
            ShowRefusal(error, modelPrefix);
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        if (await TemplateView.FindAsync(IdOrName, db, questionnaire, now, cancellationToken) is not (var template, var view))
            return false;
        Template = view;
        var viewer = Viewer;

        var submit = template.CanSubmit(viewer, questionnaire, now);
        CanSubmit = submit.IsSuccess && await AllowedAsync(TemplateSteps.SubmitAccess);
        // Someone else's template, or one in a state nobody submits from, needs no reason: the status says so.
        SubmitReason = submit.Error switch
        {
            null or NotTheTemplateAuthor or TemplateInvalidTransition => null,
            MissingRequiredFields missing => $"It cannot be submitted: {string.Join(", ", missing.Fields.Select(Describe))} " +
                                             $"{(missing.Fields.Count == 1 ? "is" : "are")} missing.",
            var other => other.Detail,
        };

        CanRevise = template.CanRevise(viewer, now).IsSuccess && await AllowedAsync(ReviseTemplate.Access);

        var approve = template.CanDecide(viewer, ApprovalDecision.Approve, now);
        var reject = template.CanDecide(viewer, ApprovalDecision.Reject, now);
        var decideAccess = await authorization.AuthorizeAsync(User, TemplateSteps.DecideAccess);
        CanApprove = approve.IsSuccess && decideAccess.Succeeded;
        CanReject = reject.IsSuccess && decideAccess.Succeeded;
        // Once it is decided, published or retired nobody decides any more: the status says so, no reason is needed.
        var collecting = approve.Error is not TemplateInvalidTransition;
        DecisionReason = CanApprove || !collecting ? null
            : approve.Error?.Detail ?? EndpointAuthorization.RefusalOf(decideAccess.Failure).Detail;
        CanRetire = template.CanRetire(viewer, now).IsSuccess && await AllowedAsync(TemplateSteps.RetireAccess);
        CanHandOver = template.CanHandOver(viewer, now).IsSuccess && await AllowedAsync(HandOverTemplate.Access);
        if (CanHandOver)
            Requestors = await Identities.ActiveWithRoleAsync(db, Role.Requestor, peopleOnly: true, cancellationToken, except: template.AuthorId);

        // A Standard change is a requestor's (CreateChange's own rule); others are not told why they cannot make one.
        if (viewer.Has(Role.Requestor) && await AllowedAsync(CreateChange.Access))
        {
            var inForce = template.CanMakeChanges(now);
            CanMakeChange = inForce.IsSuccess;
            MakeChangeReason = inForce.Error?.Detail;
            if (CanMakeChange)
                Implementers = await ChangeInput.ImplementerChoicesAsync(db, cancellationToken);
        }
        return true;
    }

    private async Task<bool> AllowedAsync(AuthorizationPolicy policy) => (await authorization.AuthorizeAsync(User, policy)).Succeeded;

    public string Describe(string field) => FieldNames.Describe(field, questionnaire);

    public string QuestionText(string key) => questionnaire.Questions.FirstOrDefault(q => q.Key == key)?.Text ?? key;

    public string OptionLabel(string key, string option) =>
        questionnaire.Questions.FirstOrDefault(q => q.Key == key)?.Options.FirstOrDefault(o => o.Key == option)?.Label ?? option;

    /// <summary>What the template's answers assess, as its submission judges them (its services' flags add a sign-off, not risk).</summary>
    public RiskAssessment Risk => questionnaire.Assess(Template.RiskAnswers, false);
}
