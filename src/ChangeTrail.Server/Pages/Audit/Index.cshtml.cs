using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.Retention;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Audit;

/// <summary>One row of the audit search: an entry with its actor's name and, for a change request, its number.</summary>
public sealed record AuditRow(LedgerEntry Entry, string ActorName, string? ChangeNumber);

/// <summary>
/// The audit page: the log's size and a search over its entries by actor, action, subject and time,
/// newest first. Read-only, for auditors and administrators.
/// </summary>
[Authorize(Roles = $"{nameof(Role.Auditor)},{nameof(Role.Admin)}")]
public sealed class IndexModel(ChangeTrailDbContext db, Clock clock) : ChangeTrailPage
{
    public const int PageSize = 50;

    /// <summary>The longest text of the actor, action and subject filters.</summary>
    public const int FilterMaxLength = 200;

    [BindProperty(SupportsGet = true, Name = "actor")] public string? Actor { get; set; }
    [BindProperty(SupportsGet = true, Name = "action")] public string? ActionFilter { get; set; }
    [BindProperty(SupportsGet = true, Name = "subject")] public string? Subject { get; set; }
    [BindProperty(SupportsGet = true, Name = "from")] public DateTime? From { get; set; }
    [BindProperty(SupportsGet = true, Name = "to")] public DateTime? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "before")] public long? Before { get; set; }

    public long LogSize { get; private set; }

    /// <summary>The latest signed checkpoint (C2SP signed note), if one has been made.</summary>
    public string? Checkpoint { get; private set; }

    /// <summary>The retention period in force (policy 3.5) and the cutoff it gives today; null months when none is set.</summary>
    public RetentionResponse Retention { get; private set; } = new(null, null, null, null);

    public IReadOnlyList<AuditRow> Rows { get; private set; } = [];

    public long? NextBefore { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        LogSize = (await db.LedgerHeads.AsNoTracking().SingleAsync(cancellationToken)).Size;
        Checkpoint = (await Features.Ledger.LedgerCheckpoints.FindLatestAsync(db, cancellationToken))?.Note;
        Retention = await GetRetention.ExecuteAsync(db, clock, cancellationToken);
        var errors = new ValidationErrors();
        errors.MaxLength("actor", Actor, FilterMaxLength);
        errors.MaxLength("action", ActionFilter, FilterMaxLength);
        errors.MaxLength("subject", Subject, FilterMaxLength);
        if (Before < 0)
            errors.Add("before", "At least 0.");
        if (errors.ToResult().Error is ValidationFailed invalid)
        {
            // Nothing is searched for a filter no entry could match.
            ShowMessage(string.Join(" ", invalid.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
            return;
        }
        var entries = db.LedgerEntries.AsNoTracking();

        if (!string.IsNullOrWhiteSpace(Actor))
        {
            var name = Actor.Trim();
            var needle = name.ToUpperInvariant();
            var actorIds = await db.Users.AsNoTracking()
                .Where(u => u.NormalizedEmail == needle || u.NormalizedUserName == needle || u.DisplayName == name)
                .Select(u => u.Id).ToListAsync(cancellationToken);
            if (Guid.TryParse(Actor, out var id))
                actorIds.Add(id);
            entries = entries.Where(e => actorIds.Contains(e.ActorId));
        }
        if (!string.IsNullOrWhiteSpace(ActionFilter))
        {
            var action = ActionFilter.Trim().ToLowerInvariant();
            entries = entries.Where(e => e.Action.StartsWith(action));
        }
        if (!string.IsNullOrWhiteSpace(Subject))
        {
            var subject = Subject.Trim();
            var change = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().ByIdOrNumber(subject).Select(c => (Guid?)c.Id)
                .FirstOrDefaultAsync(cancellationToken);
            var subjectId = change?.ToString() ?? subject.ToLowerInvariant();
            entries = entries.Where(e => e.SubjectId == subjectId);
        }
        if (From is { } from)
        {
            var utc = DateTime.SpecifyKind(from, DateTimeKind.Utc);
            entries = entries.Where(e => e.At >= utc);
        }
        if (To is { } to)
        {
            var utc = DateTime.SpecifyKind(to, DateTimeKind.Utc);
            entries = entries.Where(e => e.At <= utc);
        }
        if (Before is { } before)
            entries = entries.Where(e => e.Index < before);

        var page = await entries.OrderByDescending(e => e.Index).Take(PageSize + 1).ToListAsync(cancellationToken);
        NextBefore = page.Count > PageSize ? page[PageSize - 1].Index : null;
        page = page.Take(PageSize).ToList();

        var actorIdsOnPage = page.Select(e => e.ActorId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => actorIdsOnPage.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        var changeIds = page.Where(e => e.SubjectType == LedgerSubjects.ChangeRequest.Type)
            .Select(e => Guid.TryParse(e.SubjectId, out var g) ? g : Guid.Empty).Distinct().ToList();
        var numbers = await db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes().Where(c => changeIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id.ToString(), c => c.Number, cancellationToken);
        names.TryAdd(SystemActor.Id, SystemActor.DisplayName); // the purge's and refused sign-ins' entries
        Rows = page.Select(e => new AuditRow(e, names.GetValueOrDefault(e.ActorId, e.ActorId.ToString()),
            numbers.TryGetValue(e.SubjectId, out var number) ? $"CR-{number}" : null)).ToList();
    }

    /// <summary>The same search, older entries.</summary>
    public string OlderLink() => "/audit" + QueryString.Create(new Dictionary<string, string?>
    {
        ["actor"] = Actor,
        ["action"] = ActionFilter,
        ["subject"] = Subject,
        ["from"] = Display.LocalInput(From),
        ["to"] = Display.LocalInput(To),
        ["before"] = NextBefore?.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
