using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Features.Calendar;
using ChangeTrail.Server.Hosting;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>
/// POST /changes with <c>type: Standard</c>: a Standard change from a published template (policy 3.1), approved at once. Only
/// the planned window, the commits and the implementer are the requestor's; the rest is the template's.
/// </summary>
public static class CreateStandardChange
{
    public static async Task<Result<ChangeResponse>> ExecuteAsync(ChangeFields fields, Actor requestor, ChangeTrailDbContext db, Clock clock,
        RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        foreach (var (field, given) in new (string, bool)[]
                 {
                     ("title", fields.Title is not null), ("purpose", fields.Purpose is not null), ("scope", fields.Scope is not null),
                     ("impactAnalysis", fields.ImpactAnalysis is not null), ("rollbackPlan", fields.RollbackPlan is not null),
                     ("testPlan", fields.TestPlan is not null), ("testResults", fields.TestResults is not null),
                     ("services", fields.Services is not null), ("riskAnswers", fields.RiskAnswers is not null),
                     ("emergencyJustification", fields.EmergencyJustification is not null), ("exceptions", fields.Exceptions is { Count: > 0 }),
                 })
        {
            if (given)
                errors.Add(field, "A Standard change takes this from its template; leave it out.");
        }
        if (fields.TemplateId is null)
            errors.Add("templateId", "Name the Standard template the change is made from.");
        var implementerId = await ChangeInput.ImplementerAsync(db, fields.Implementer, errors, cancellationToken);
        var commits = ChangeInput.CommitsOf(fields);
        var template = fields.TemplateId is { } id ? await db.ChangeTemplates.FindAsync([id], cancellationToken) : null;
        if (fields.TemplateId is not null && template is null)
            errors.Add("templateId", $"There is no template {fields.TemplateId}.");
        if (errors.Any)
            return errors.ToResult().Error!;

        var now = clock.UtcNow;
        // Made by a requestor, it is a submission: refused inside a freeze as a Normal change's would be.
        var opened = await OpenAsync(template!, Clock.AsUtc(fields.PlannedStart), Clock.AsUtc(fields.PlannedEnd), commits,
            (fields.Links ?? []).Select(link => link ?? "").ToList(), implementerId, requestor, await FreezeCalendars.InForceAsync(db, cancellationToken),
            db, questionnaire, now, cancellationToken);
        return opened.IsSuccess
            ? await ChangeView.BuildAsync(opened.Value!, db, questionnaire, now, cancellationToken)
            : opened.Error!;
    }

    /// <summary>
    /// Makes and saves a Standard change of <paramref name="template"/>: for a requestor here, for a pipeline at the gate. It is
    /// refused when its planned window falls in one of <paramref name="freezes"/>.
    /// </summary>
    public static async Task<Result<ChangeRequest>> OpenAsync(ChangeTemplate template, DateTime? plannedStart, DateTime? plannedEnd,
        IReadOnlyList<CommitRef> commits, IReadOnlyList<string> links, Guid? implementerId, Actor requestor, FreezeCalendar freezes,
        ChangeTrailDbContext db, RiskQuestionnaire questionnaire, DateTime now, CancellationToken cancellationToken)
    {
        // Checked before a number is spent on a change the template can no longer make.
        var inForce = template.CanMakeChanges(now);
        if (!inForce.IsSuccess)
            return inForce.Error!;
        var number = new ChangeNumber { AllocatedAt = now };
        db.ChangeNumbers.Add(number);
        await db.SaveChangesAsync(cancellationToken);

        var services = await ChangeInput.ServiceProfilesAsync(db, template.Services, cancellationToken);
        var made = ChangeRequest.FromTemplate(Guid.NewGuid(), number.Id, template, plannedStart, plannedEnd, commits, links, implementerId,
            requestor, services, questionnaire, freezes, now);
        if (!made.IsSuccess)
            return made.Error!;
        db.ChangeRequests.Add(made.Value!);
        await db.SaveChangesAsync(cancellationToken);
        return made.Value!;
    }
}
