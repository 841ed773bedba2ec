using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// GET /ledger/entries?from=&amp;count=: entries in index order with the canonical record and leaf hash exactly as
/// stored, so a verifier recomputes every leaf and root. Records hold people's data: Auditor or Admin only.
/// </summary>
public static class ListEntries
{
    public const int DefaultCount = 1000;
    public const int MaxCount = 10_000;

    public static void Map(RouteGroupBuilder ledger) =>
        ledger.MapGet("/entries", HandleAsync).RequireAccess(Scopes.LedgerRead, Role.Auditor, Role.Admin).WithName(nameof(ListEntries))
            .WithSummary("Ledger entries with their canonical records and leaf hashes");

    private static async Task<Results<Ok<LedgerEntriesResponse>, ProblemHttpResult>> HandleAsync(
        [FromQuery(Name = "from")] string? fromText, [FromQuery(Name = "count")] string? countText, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var query = new LedgerQuery();
        var from = query.Read("from", fromText);
        var count = query.Read("count", countText);
        if (query.Malformed is { } malformed)
            return malformed;
        var result = await ExecuteAsync(from, count, db, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<LedgerEntriesResponse>> ExecuteAsync(long? from, long? count, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var size = await LedgerStore.SizeAsync(db, cancellationToken);
        var start = from ?? 0;
        var take = count ?? DefaultCount;
        var errors = new ValidationErrors();
        if (start < 0)
            errors.Add("from", "At least 0.");
        else if (start > size)
            errors.Add("from", $"The log holds {size} entries; start at {size} or below.");
        if (take is < 1 or > MaxCount)
            errors.Add("count", $"Between 1 and {MaxCount}.");
        if (errors.Any)
            return errors.ToResult().Error!;

        var end = Math.Min(size, start + take);
        var entries = await db.LedgerEntries.AsNoTracking()
            .Where(e => e.Index >= start && e.Index < end)
            .OrderBy(e => e.Index)
            .ToListAsync(cancellationToken);
        return new LedgerEntriesResponse(size, entries.Select(LedgerStore.ToDto).ToList());
    }
}
