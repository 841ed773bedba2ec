using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Services;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>The list's filters, as the query string gives them; unparseable values are named in a 400.</summary>
public sealed record ChangeListQuery(string? State, string? Type, string? Service, string? Risk, string? Q, int? Page, int? PageSize, string? Flag = null);

/// <summary>
/// GET /changes: newest first, filtered by state, type, service, risk and an emergency's deadline flag, searched by number and
/// text, paged. <c>flag=documented-late</c> is the report of every emergency written up late, for as long as records are kept.
/// </summary>
public static class ListChanges
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;

    /// <summary>The deepest page: further back, a filter finds it faster than an offset would (and the offset stays an int).</summary>
    public const int MaxPage = 10_000;

    /// <summary>The longest search text <c>q</c>.</summary>
    public const int SearchMaxLength = 200;

    public static void Map(RouteGroupBuilder changes) =>
        changes.MapGet("/", HandleAsync).RequireAccess(Scopes.ChangesRead).WithName(nameof(ListChanges))
            .WithSummary("List change requests");

    private static async Task<Results<Ok<PagedResponse<ChangeSummary>>, ProblemHttpResult>> HandleAsync(
        [AsParameters] ChangeListQuery query, ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(query, db, clock.UtcNow, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<PagedResponse<ChangeSummary>>> ExecuteAsync(ChangeListQuery query, ChangeTrailDbContext db, DateTime now,
        CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var state = ParseEnum<ChangeState>(query.State, "state", errors);
        var type = ParseEnum<ChangeType>(query.Type, "type", errors);
        var risk = ParseEnum<RiskLevel>(query.Risk, "risk", errors);
        var page = query.Page ?? 1;
        var pageSize = query.PageSize ?? DefaultPageSize;
        if (page is < 1 or > MaxPage)
            errors.Add("page", $"Between 1 and {MaxPage}.");
        if (pageSize is < 1 or > MaxPageSize)
            errors.Add("pageSize", $"Between 1 and {MaxPageSize}.");
        errors.MaxLength("q", query.Q, SearchMaxLength);
        var flag = string.IsNullOrEmpty(query.Flag) ? null : EmergencyFlags.Having(query.Flag, now);
        if (!string.IsNullOrEmpty(query.Flag) && flag is null)
            errors.Add("flag", $"One of: {string.Join(", ", EmergencyFlags.All)}.");
        var serviceId = await ServiceReferences.FilterAsync(db, query.Service, errors, cancellationToken);
        if (errors.Any)
            return errors.ToResult().Error!;

        var changes = db.ChangeRequests.AsNoTracking().IgnoreAutoIncludes();
        if (state is { } s) changes = changes.Where(c => c.State == s);
        if (type is { } t) changes = changes.Where(c => c.Type == t);
        if (risk is { } r) changes = changes.Where(c => c.Risk.Overall == r);
        if (serviceId is { } id) changes = changes.Where(c => c.Services.Contains(id));
        if (flag is not null) changes = changes.Where(flag);
        if (!string.IsNullOrWhiteSpace(query.Q))
        {
            // SearchText is stored lower-cased, so LIKE behaves alike on SQLite (case-insensitive) and PostgreSQL (sensitive).
            var pattern = "%" + query.Q.Trim().ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            changes = changes.Where(c => EF.Functions.Like(c.SearchText, pattern, "\\"));
        }

        var total = await changes.CountAsync(cancellationToken);
        var rows = await changes.OrderByDescending(c => c.Number)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(c => new
            {
                c.Id,
                c.Number,
                c.Type,
                c.State,
                c.Title,
                OverallRisk = c.Risk.Overall,
                c.RequestorId,
                c.PlannedStart,
                c.PlannedEnd,
                c.UpdatedAt,
                c.DocumentationDueAt,
                c.DocumentedAt,
                c.ReviewDueAt,
                c.ReviewedAt,
                c.ClosedAt,
            })
            .ToListAsync(cancellationToken);
        var requestorIds = rows.Select(c => c.RequestorId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => requestorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);

        var items = rows.Select(c => new ChangeSummary(c.Id, $"CR-{c.Number}", c.Type, c.State, c.Title, c.OverallRisk,
            new PersonRef(c.RequestorId, names.GetValueOrDefault(c.RequestorId, "(unknown)")), c.PlannedStart, c.PlannedEnd, c.UpdatedAt,
            EmergencyFlags.Of(c.DocumentationDueAt, c.DocumentedAt, c.ReviewDueAt, c.ReviewedAt, c.ClosedAt, now))).ToList();
        return new PagedResponse<ChangeSummary>(items, page, pageSize, total);
    }

    private static T? ParseEnum<T>(string? value, string field, ValidationErrors errors) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (!int.TryParse(value, out _) && Enum.TryParse<T>(value, ignoreCase: true, out var parsed))
            return parsed;
        errors.Add(field, $"One of: {string.Join(", ", Enum.GetNames<T>())}.");
        return null;
    }
}
