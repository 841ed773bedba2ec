using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Retention;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Retention;

/// <summary>
/// PUT /settings/retention {months}: an Admin sets how long change records are kept, refused below policy 3.5's
/// twelve calendar months. A change of setting is a ledger entry; setting the same value again records nothing.
/// </summary>
public static class SetRetention
{
    public static void Map(RouteGroupBuilder settings) =>
        settings.MapPut("/retention", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).RequireHuman()
            .WithName(nameof(SetRetention)).WithSummary("Set the retention period for change records (at least 12 months)");

    private static async Task<Results<Ok<RetentionResponse>, ProblemHttpResult>> HandleAsync(SetRetentionRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body.Months, user.UserIdOf(), db, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Ok(result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<RetentionResponse>> ExecuteAsync(int? months, Guid adminId, ChangeTrailDbContext db, Clock clock,
        CancellationToken cancellationToken)
    {
        if (months is null)
            return ValidationFailed.For("months", "Give the retention period in months (at least 12).");
        var period = RetentionPeriod.Of(months.Value);
        if (!period.IsSuccess)
            return period.Error!;

        var setting = await db.RetentionSettings.SingleOrDefaultAsync(cancellationToken);
        if (setting?.Months != period.Value!.Months)
        {
            if (setting is null)
                db.RetentionSettings.Add(setting = new RetentionSetting());
            setting.Months = period.Value.Months;
            setting.ChangedById = adminId;
            setting.ChangedAt = clock.UtcNow;
            db.Record(LedgerSubjects.Setting, adminId, "retention-changed", setting, setting.ChangedAt);
            await db.SaveChangesAsync(cancellationToken);
        }
        return await GetRetention.ExecuteAsync(db, clock, cancellationToken);
    }
}
