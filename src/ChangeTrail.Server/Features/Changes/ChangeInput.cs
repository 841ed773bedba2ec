using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>A change request's fields as a client sent them, resolved against the database and validated.</summary>
public sealed record ResolvedChangeInput(ChangeType Type, ChangeContent Content, IReadOnlyList<ServiceProfile> Services);

/// <summary>
/// Turns <see cref="ChangeFields"/> (create, or a merge-patched edit) into domain content: services by id
/// or name, the implementer by id, email or service-account name. Every field error is reported at once.
/// </summary>
public static class ChangeInput
{
    public static async Task<Result<ResolvedChangeInput>> ResolveAsync(ChangeFields fields, ChangeTrailDbContext db,
        RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (fields.Type is null)
            errors.Add("type", "This field is required.");
        if (fields.TemplateId is not null)
            errors.Add("templateId", "Standard change templates are not available on this server yet.");

        // Counted before anything is looked up: each service named is a query.
        var services = new List<ServiceProfile>();
        var requested = fields.Services ?? [];
        if (requested.Count > ChangeContent.MaxServices)
            errors.Add("services", $"At most {ChangeContent.MaxServices} services.");
        else
        {
            for (var i = 0; i < requested.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(requested[i]))
                {
                    errors.Add($"services[{i}]", "Name a service by its name or id.");
                    continue;
                }
                if (requested[i].Length > Service.NameMaxLength)
                {
                    errors.Add($"services[{i}]", $"At most {Service.NameMaxLength} characters.");
                    continue;
                }
                var service = await FindServiceAsync(db, requested[i], cancellationToken);
                if (service is null)
                    errors.Add($"services[{i}]", $"There is no service '{requested[i]}'.");
                else
                    services.Add(service.Profile);
            }
        }

        // An id, an email or a service account's name: the longest of them is an email.
        Guid? implementerId = null;
        if (fields.Implementer is { Length: > Identities.EmailMaxLength })
            errors.Add("implementer", $"At most {Identities.EmailMaxLength} characters.");
        else if (!string.IsNullOrWhiteSpace(fields.Implementer))
        {
            implementerId = await FindImplementerAsync(db, fields.Implementer.Trim(), cancellationToken);
            if (implementerId is null)
                errors.Add("implementer", $"There is no active identity '{fields.Implementer}' with the {nameof(Role.Implementer)} role.");
        }

        var answers = fields.RiskAnswers ?? new Dictionary<string, string>();
        questionnaire.Validate(answers, errors);

        var content = new ChangeContent(
            fields.Title ?? "",
            Blank(fields.Purpose), Blank(fields.Scope), Blank(fields.ImpactAnalysis), Blank(fields.RollbackPlan),
            Blank(fields.TestPlan), Blank(fields.TestResults),
            Clock.AsUtc(fields.PlannedStart), Clock.AsUtc(fields.PlannedEnd),
            services.Select(s => s.Id).ToList(),
            answers,
            implementerId,
            (fields.Commits ?? []).Select(c => new CommitRef(c?.Sha?.ToLowerInvariant() ?? "", Blank(c?.AuthorEmail)?.Trim())).ToList(),
            (fields.Links ?? []).Select(link => link ?? "").ToList(),
            Blank(fields.EmergencyJustification));
        content.Validate(errors);

        if (errors.Any)
            return errors.ToResult().Error!;
        return new ResolvedChangeInput(fields.Type!.Value, content, services);
    }

    public static Task<Service?> FindServiceAsync(ChangeTrailDbContext db, string idOrName, CancellationToken cancellationToken) =>
        Guid.TryParse(idOrName, out var id)
            ? db.Services.SingleOrDefaultAsync(s => s.Id == id, cancellationToken)
            : db.Services.SingleOrDefaultAsync(s => s.NormalizedName == Service.Normalize(idOrName), cancellationToken);

    public static async Task<IReadOnlyList<ServiceProfile>> ServiceProfilesAsync(ChangeTrailDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken) =>
        (await db.Services.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken)).Select(s => s.Profile).ToList();

    private static async Task<Guid?> FindImplementerAsync(ChangeTrailDbContext db, string reference, CancellationToken cancellationToken)
    {
        var normalized = reference.ToUpperInvariant();
        var serviceAccountName = $"SVC-{normalized}";
        var candidates = db.Users.Where(u => u.DeactivatedAt == null);
        candidates = Guid.TryParse(reference, out var id)
            ? candidates.Where(u => u.Id == id)
            : candidates.Where(u => u.NormalizedEmail == normalized || u.NormalizedUserName == serviceAccountName);
        var implementerRole = nameof(Role.Implementer).ToUpperInvariant();
        return await candidates
            .Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == implementerRole)))
            .Select(u => (Guid?)u.Id)
            .FirstOrDefaultAsync(cancellationToken);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
