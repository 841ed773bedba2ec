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
/// entry (a row edited behind the application's back does not), and that no record is missing. Paged by a cursor over
/// (type, id), kind by kind in the order of <see cref="LedgerSubjects.All"/>. Auditor or Admin only.
/// </summary>
public static class ListRecords
{
    public const int DefaultCount = 1000;
    public const int MaxCount = 5000;

    /// <summary>The longest cursor: a subject type, a colon and an id (a GUID, or a setting's name).</summary>
    public const int CursorMaxLength = 200;

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
        var (kind, afterId) = (0, (string?)null);
        if (after is { Length: > CursorMaxLength })
            errors.Add("after", $"At most {CursorMaxLength} characters: pass the 'next' of the previous page.");
        else if (!string.IsNullOrEmpty(after) && !TryParseCursor(after, out kind, out afterId))
            errors.Add("after", "Not a cursor: pass the 'next' of the previous page.");
        if (errors.Any)
            return errors.ToResult().Error!;

        var records = new List<LedgerRecordDto>();
        for (var k = kind; k < LedgerSubjects.All.Count && records.Count < take; k++)
        {
            var page = await LedgerSubjects.All[k].CurrentAsync(db, k == kind ? afterId : null, (int)take - records.Count, cancellationToken);
            records.AddRange(page.Select(r => new LedgerRecordDto(r.SubjectType, r.SubjectId, r.Record)));
        }
        var next = records.Count == take ? $"{records[^1].SubjectType}:{records[^1].SubjectId}" : null;
        return new LedgerRecordsResponse(records, next);
    }

    /// <summary>"ChangeRequest:&lt;id&gt;": the kind to resume in and the last id listed of it (a GUID for the kinds keyed by one).</summary>
    private static bool TryParseCursor(string cursor, out int kind, out string? afterId)
    {
        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        var type = colon < 0 ? "" : cursor[..colon];
        kind = LedgerSubjects.All.ToList().FindIndex(s => s.Type == type && s.HasCurrentRecords);
        afterId = colon < 0 ? null : cursor[(colon + 1)..];
        return kind >= 0 && !string.IsNullOrEmpty(afterId) && (type == LedgerSubjects.Setting.Type || Guid.TryParse(afterId, out _));
    }
}
