using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// GET /ledger/records?after=&amp;count=: every record the ledger tracks, serialised now by the function that
/// serialised it into its entries, so a verifier can check that each record's current state equals its latest
/// entry (a row edited behind the application's back does not). Paged by a cursor over (type, id): change
/// requests, users, tokens, services, then the settings (one row each at most, listed last). Auditor or Admin only.
/// </summary>
public static class ListRecords
{
    public const int DefaultCount = 1000;
    public const int MaxCount = 5000;

    /// <summary>The order in which the kinds of record are listed.</summary>
    public static readonly IReadOnlyList<string> SubjectTypes =
        [CanonicalRecords.ChangeRequestType, CanonicalRecords.UserType, CanonicalRecords.TokenType, CanonicalRecords.ServiceType,
            CanonicalRecords.SettingType];

    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/records", HandleAsync).RequireAccess(Scopes.LedgerRead, Role.Auditor, Role.Admin).WithName(nameof(ListRecords))
            .WithSummary("The current canonical JSON of every record the ledger tracks");

    private static async Task<Results<Ok<LedgerRecordsResponse>, ProblemHttpResult>> HandleAsync(string? after,
        [FromQuery(Name = "count")] string? countText, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var query = new LedgerQuery();
        var count = query.Read("count", countText);
        if (query.Malformed is { } malformed)
            return malformed;
        var result = await ExecuteAsync(after, count, db, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<LedgerRecordsResponse>> ExecuteAsync(string? after, long? count, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var take = count ?? DefaultCount;
        if (take is < 1 or > MaxCount)
            errors.Add("count", $"Between 1 and {MaxCount}.");
        var (typeIndex, afterId) = (0, (Guid?)null);
        if (!string.IsNullOrEmpty(after) && !TryParseCursor(after, out typeIndex, out afterId))
            errors.Add("after", "Not a cursor: pass the 'next' of the previous page.");
        if (errors.Any)
            return errors.ToResult().Error!;

        var records = new List<LedgerRecordDto>();
        for (var t = typeIndex; t < SubjectTypes.Count && records.Count < take; t++)
        {
            var from = t == typeIndex ? afterId : null;
            var room = (int)take - records.Count;
            records.AddRange(SubjectTypes[t] switch
            {
                CanonicalRecords.ChangeRequestType => await ChangesAsync(db, from, room, cancellationToken),
                CanonicalRecords.UserType => await UsersAsync(db, from, room, cancellationToken),
                CanonicalRecords.TokenType => await TokensAsync(db, from, room, cancellationToken),
                CanonicalRecords.ServiceType => await ServicesAsync(db, from, room, cancellationToken),
                _ => await SettingsAsync(db, cancellationToken),
            });
        }
        // The settings come last and fit in any page, so a page ending on one is the last page.
        var next = records.Count == take && records[^1].SubjectType != CanonicalRecords.SettingType
            ? $"{records[^1].SubjectType}:{records[^1].SubjectId}"
            : null;
        return new LedgerRecordsResponse(records, next);
    }

    private static bool TryParseCursor(string cursor, out int typeIndex, out Guid? afterId)
    {
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        typeIndex = colon < 0 ? -1 : SubjectTypes.ToList().IndexOf(cursor[..colon]);
        afterId = colon >= 0 && Guid.TryParse(cursor[(colon + 1)..], out var id) ? id : null;
        return typeIndex >= 0 && afterId is not null;
    }

    private static async Task<IEnumerable<LedgerRecordDto>> ChangesAsync(ChangeTrailDbContext db, Guid? after, int take,
        CancellationToken cancellationToken)
    {
        var changes = await db.ChangeRequests.AsNoTracking()
            .Where(c => after == null || c.Id.CompareTo(after.Value) > 0)
            .OrderBy(c => c.Id).Take(take)
            .ToListAsync(cancellationToken);
        return changes.Select(c => Dto(CanonicalRecords.ChangeRequestType, c.Id, CanonicalRecords.Of(c)));
    }

    private static async Task<IEnumerable<LedgerRecordDto>> UsersAsync(ChangeTrailDbContext db, Guid? after, int take,
        CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking()
            .Where(u => after == null || u.Id.CompareTo(after.Value) > 0)
            .OrderBy(u => u.Id).Take(take)
            .ToListAsync(cancellationToken);
        var ids = users.Select(u => u.Id).ToList();
        var roles = (await db.UserRoles.AsNoTracking().Where(ur => ids.Contains(ur.UserId))
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
                .ToListAsync(cancellationToken))
            .ToLookup(x => x.UserId, x => x.Name!);
        return users.Select(u => Dto(CanonicalRecords.UserType, u.Id, CanonicalRecords.Of(u, roles[u.Id])));
    }

    private static async Task<IEnumerable<LedgerRecordDto>> TokensAsync(ChangeTrailDbContext db, Guid? after, int take,
        CancellationToken cancellationToken)
    {
        var tokens = await db.ApiTokens.AsNoTracking()
            .Where(t => after == null || t.Id.CompareTo(after.Value) > 0)
            .OrderBy(t => t.Id).Take(take)
            .ToListAsync(cancellationToken);
        return tokens.Select(t => Dto(CanonicalRecords.TokenType, t.Id, CanonicalRecords.Of(t)));
    }

    private static async Task<IEnumerable<LedgerRecordDto>> ServicesAsync(ChangeTrailDbContext db, Guid? after, int take,
        CancellationToken cancellationToken)
    {
        var services = await db.Services.AsNoTracking()
            .Where(s => after == null || s.Id.CompareTo(after.Value) > 0)
            .OrderBy(s => s.Id).Take(take)
            .ToListAsync(cancellationToken);
        return services.Select(s => Dto(CanonicalRecords.ServiceType, s.Id, CanonicalRecords.Of(s)));
    }

    private static async Task<IEnumerable<LedgerRecordDto>> SettingsAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var retention = await db.RetentionSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        return retention is null
            ? []
            : [new LedgerRecordDto(CanonicalRecords.SettingType, CanonicalRecords.RetentionSettingId, CanonicalRecords.Of(retention))];
    }

    private static LedgerRecordDto Dto(string type, Guid id, string record) => new(type, id.ToString(), record);
}
