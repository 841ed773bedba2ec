using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Templates;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Gate;

/// <summary>
/// A gate question naming a Standard template instead of a change (policy 3.1): the gate opens the Standard change itself —
/// or finds the one it opened for the same pipeline, service and commit, whose window is still open, so staging and then
/// production deploy under one change. A template that cannot make the change answers deny, and no change is opened.
/// </summary>
public static class GateStandardChange
{
    /// <summary>The change the question is about, or the reason there is none.</summary>
    public sealed record Opened(ChangeRequest? Change, GateReason? Refusal);

    public const string TemplateNotFound = "template-not-found";

    public static async Task<Opened> OpenAsync(string templateName, GateQuestion question, Actor asker, ChangeTrailDbContext db,
        RiskQuestionnaire questionnaire, DateTime now, CancellationToken cancellationToken)
    {
        var template = await TemplateLookup.FindAsync(db.ChangeTemplates.AsNoTracking(), templateName, cancellationToken);
        if (template is null)
            return new(null, new(TemplateNotFound, $"There is no Standard template '{templateName}'."));
        if (template.CanMakeChanges(now).Error is { } notInForce)
            return new(null, new(notInForce.Type, notInForce.Detail));
        var service = await db.Services.AsNoTracking().SingleOrDefaultAsync(s => s.NormalizedName == Service.Normalize(question.Service), cancellationToken);
        if (service is null || !template.Services.Contains(service.Id))
            return new(null, new(ServiceMustBeInChange.Code, $"Template {template.Name} does not cover service {question.Service}."));
        if (!template.AllowsEnvironment(question.Environment))
            return new(null, new(TemplateMustBeInForce.EnvironmentNotInTemplate,
                $"Template {template.Name} allows {string.Join(", ", template.Environments)}; not {question.Environment}."));

        var open = await db.ChangeRequests.AsNoTracking()
            .Where(c => c.TemplateId == template.Id && c.RequestorId == asker.Id && c.PlannedEnd > now &&
                        (c.State == ChangeState.Approved || c.State == ChangeState.Implementing))
            .OrderByDescending(c => c.Number)
            .ToListAsync(cancellationToken);
        if (open.FirstOrDefault(c => c.Services.Contains(service.Id) && c.Commits.Any(k => CommitRef.SameCommit(k.Sha, question.Commit))) is { } existing)
            return new(existing, null);

        var opened = await CreateStandardChange.OpenAsync(template, now, now + Domain.Templates.ChangeTemplate.GateOpenedWindow,
            [new CommitRef(question.Commit.ToLowerInvariant(), null)], asker.Has(Role.Implementer) ? asker.Id : null, asker, db, questionnaire, now,
            cancellationToken);
        return opened.IsSuccess
            ? new(opened.Value!, null)
            : new(null, new(opened.Error!.Type, opened.Error.Detail));
    }
}
