using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Templates;

/// <summary>Templates as the API shows them: services and people by name, approvals matched, status now, and how many changes each made.</summary>
public static class TemplateView
{
    /// <summary>The template <paramref name="idOrName"/> names, untracked, with its view at <paramref name="now"/>; null when none does.</summary>
    public static async Task<(ChangeTemplate Template, TemplateResponse View)?> FindAsync(string idOrName, ChangeTrailDbContext db,
        RiskQuestionnaire questionnaire, DateTime now, CancellationToken cancellationToken) =>
        await TemplateLookup.FindAsync(db.ChangeTemplates.AsNoTracking(), idOrName, cancellationToken) is { } template
            ? (template, (await BuildAsync([template], db, questionnaire, now, cancellationToken))[0])
            : null;

    public static async Task<IReadOnlyList<TemplateResponse>> BuildAsync(IReadOnlyList<ChangeTemplate> templates, ChangeTrailDbContext db,
        RiskQuestionnaire questionnaire, DateTime now, CancellationToken cancellationToken)
    {
        var serviceIds = templates.SelectMany(t => t.Services).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var people = templates.SelectMany(t => t.Decisions.Select(d => d.ApproverId).Append(t.AuthorId).Concat(t.FormerAuthors))
            .Concat(templates.Select(t => t.RetiredById).OfType<Guid>()).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        PersonRef Person(Guid id) => new(id, names.GetValueOrDefault(id, "(unknown)"));
        var ids = templates.Select(t => (Guid?)t.Id).ToList();
        var usage = await db.ChangeRequests.AsNoTracking().Where(c => ids.Contains(c.TemplateId))
            .GroupBy(c => c.TemplateId).Select(g => new { Id = g.Key!.Value, Count = g.Count() })
            .ToDictionaryAsync(x => x.Id, x => x.Count, cancellationToken);

        return templates.Select(t =>
        {
            var filledBy = t.Assignments();
            return new TemplateResponse(t.Id, t.Name, t.Title, t.Description,
                t.Services.Select(id => services.TryGetValue(id, out var s)
                    ? new ServiceRef(s.Id, s.Name, s.RegulatedData, s.SecurityControl)
                    : new ServiceRef(id, "(unknown)", false, false)).ToList(),
                t.Environments, t.Purpose, t.Scope, t.ImpactAnalysis, t.RollbackPlan, t.TestPlan, t.RiskAnswers,
                t.MissingRequiredFields(questionnaire), Person(t.AuthorId), t.FormerAuthors.Select(Person).ToList(), t.CreatedAt,
                t.StatusAt(now), t.Round,
                t.RequiredApprovals.Select((slot, i) => new RequiredApprovalDto(slot, ApprovalSlots.Describe(slot),
                    filledBy[i] is { } by ? Person(by) : null)).ToList(),
                t.Decisions.OrderBy(d => d.At).Select(d => new TemplateDecisionDto(d.Round, Person(d.ApproverId), d.Decision, d.Comment, d.At,
                    d.Credential)).ToList(),
                t.SubmittedAt, t.ApprovedAt, t.ExpiresAt, t.RetiredById is { } by ? Person(by) : null, t.RetiredAt, t.RetirementReason,
                usage.GetValueOrDefault(t.Id), t.Version);
        }).ToList();
    }
}
