using ChangeTrail.Domain.Calendar;
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
/// or finds the open one of the same template, service and commit whose window has not ended, so staging and then production
/// deploy under one change even when each stage asks with its own service account. A question the gate would refuse before
/// judging any change (an unknown service or environment, a token not scoped to it, a template that cannot make the change)
/// is answered deny, and no change is opened.
/// </summary>
public static class GateStandardChange
{
    /// <summary>The change the question is about, or the reason there is none; the service and environment when they are known.</summary>
    public sealed record Opened(ChangeRequest? Change, GateReason? Refusal, Service? Service, ServiceEnvironment? Environment);

    public const string TemplateNotFound = "template-not-found";

    public static async Task<Opened> OpenAsync(string templateName, GateQuestion question, Actor asker, IReadOnlySet<string> scopes,
        ChangeTrailDbContext db, RiskQuestionnaire questionnaire, DateTime now, CancellationToken cancellationToken)
    {
        var service = await db.Services.AsNoTracking().SingleOrDefaultAsync(s => s.NormalizedName == Service.Normalize(question.Service), cancellationToken);
        if (service is null)
            return new(null, new(ServiceMustBeRegistered.ServiceUnknown, $"There is no service '{question.Service}'."), null, null);
        var environment = service.Environments.FirstOrDefault(e => string.Equals(e.Name, question.Environment, StringComparison.OrdinalIgnoreCase));
        Opened Refused(string code, string message) => new(null, new(code, message), service, environment);
        if (environment is null)
            return Refused(ServiceMustBeRegistered.EnvironmentUnknown, $"{service.Name} has no environment '{question.Environment}'.");
        if (TokenMustCoverEnvironment.Refusal(scopes, environment.Name) is { } notScoped)
            return Refused(notScoped.Code, notScoped.Message);

        var template = await TemplateLookup.FindAsync(db.ChangeTemplates.AsNoTracking(), templateName, cancellationToken);
        if (template is null)
            return Refused(TemplateNotFound, $"There is no Standard template '{templateName}'.");
        if (template.CanMakeChanges(now).Error is { } notInForce)
            return Refused(notInForce.Type, notInForce.Detail);
        if (!template.Services.Contains(service.Id))
            return Refused(ServiceMustBeInChange.Code, $"Template {template.Name} does not cover service {service.Name}.");
        if (!template.AllowsEnvironment(environment.Name))
            return Refused(TemplateMustBeInForce.EnvironmentNotInTemplate,
                $"Template {template.Name} allows {string.Join(", ", template.Environments)}; not {environment.Name}.");

        var open = await db.ChangeRequests.AsNoTracking()
            .Where(c => c.TemplateId == template.Id && c.PlannedEnd > now && (c.State == ChangeState.Approved || c.State == ChangeState.Implementing))
            .OrderByDescending(c => c.Number)
            .ToListAsync(cancellationToken);
        if (open.FirstOrDefault(c => c.Services.Contains(service.Id) && c.Commits.Any(k => CommitRef.SameCommit(k.Sha, question.Commit))) is { } existing)
            return new(existing, null, service, environment);

        // Any implementer may deploy it, so each stage's service account can; a freeze is the gate's to judge, for production
        // only, not a reason to open no change for staging.
        var opened = await CreateStandardChange.OpenAsync(template, now, now + Domain.Templates.ChangeTemplate.GateOpenedWindow,
            [new CommitRef(question.Commit.ToLowerInvariant(), null)], [], null, asker, FreezeCalendar.None, db, questionnaire, now,
            cancellationToken);
        return opened.IsSuccess
            ? new(opened.Value!, null, service, environment)
            : Refused(opened.Error!.Type, opened.Error.Detail);
    }
}
