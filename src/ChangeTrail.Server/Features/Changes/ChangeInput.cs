using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.PolicyExceptions;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>A change request's fields as a client sent them, resolved against the database and validated.</summary>
public sealed record ResolvedChangeInput(ChangeType Type, ChangeContent Content, IReadOnlyList<ServiceProfile> Services);

/// <summary>
/// Turns <see cref="ChangeFields"/> (create, or a merge-patched edit) into domain content: services by id
/// or name, the implementer by id, email or service-account name, cited exceptions by id or number. Every field error is
/// reported at once.
/// </summary>
public static class ChangeInput
{
    /// <summary>The change's fields resolved; <paramref name="alreadyCited"/> are the exceptions it cites before this edit (none for a new change).</summary>
    public static async Task<Result<ResolvedChangeInput>> ResolveAsync(ChangeFields fields, ChangeTrailDbContext db,
        RiskQuestionnaire questionnaire, IReadOnlyCollection<Guid> alreadyCited, DateTime now, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (fields.Type is null)
            errors.Add("type", "This field is required.");
        if (fields.TemplateId is not null)
            errors.Add("templateId", "Only a Standard change is made from a template.");

        var services = (await ServiceReferences.ResolveAsync(db, fields.Services, ChangeContent.MaxServices, errors, cancellationToken))
            .Select(s => s.Profile).ToList();

        var implementerId = await ImplementerAsync(db, fields.Implementer, errors, cancellationToken);

        var exceptions = fields.Exceptions is { Count: > ChangeContent.MaxExceptions }
            ? fields.Exceptions.Select(_ => Guid.Empty).ToList() // over the limit: Validate refuses the list as a whole
            : await ExceptionReferences.ResolveAsync(db, fields.Exceptions, alreadyCited, now, errors, cancellationToken);

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
            CommitsOf(fields),
            (fields.Links ?? []).Select(link => link ?? "").ToList(),
            Blank(fields.EmergencyJustification),
            exceptions);
        content.Validate(errors);

        if (errors.Any)
            return errors.ToResult().Error!;
        return new ResolvedChangeInput(fields.Type!.Value, content, services);
    }

    public static async Task<IReadOnlyList<ServiceProfile>> ServiceProfilesAsync(ChangeTrailDbContext db, IReadOnlyList<Guid> ids, CancellationToken cancellationToken) =>
        (await db.Services.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken)).Select(s => s.Profile).ToList();

    /// <summary>The implementer a change names — an id, an email or a service account's name — or null; one naming nobody is an error.</summary>
    public static async Task<Guid?> ImplementerAsync(ChangeTrailDbContext db, string? implementer, ValidationErrors errors,
        CancellationToken cancellationToken)
    {
        // The longest of them is an email.
        if (implementer is { Length: > Identities.EmailMaxLength })
        {
            errors.Add("implementer", $"At most {Identities.EmailMaxLength} characters.");
            return null;
        }
        if (string.IsNullOrWhiteSpace(implementer))
            return null;
        var id = await FindImplementerAsync(db, implementer.Trim(), cancellationToken);
        if (id is null)
            errors.Add("implementer", $"There is no active identity '{implementer}' with the {nameof(Role.Implementer)} role.");
        return id;
    }

    /// <summary>Every active identity with the Implementer role, by name, as <see cref="ImplementerAsync"/> accepts them (by id): what a form offers.</summary>
    public static Task<IReadOnlyList<(string Id, string Name)>> ImplementerChoicesAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        Identities.ActiveWithRoleAsync(db, Role.Implementer, peopleOnly: false, cancellationToken);

    /// <summary>The commits a change names, SHAs lower-cased; <see cref="ChangeContent.Validate"/> judges them.</summary>
    public static List<CommitRef> CommitsOf(ChangeFields fields) =>
        (fields.Commits ?? []).Select(c => new CommitRef(c?.Sha?.ToLowerInvariant() ?? "", Blank(c?.AuthorEmail)?.Trim())).ToList();

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
