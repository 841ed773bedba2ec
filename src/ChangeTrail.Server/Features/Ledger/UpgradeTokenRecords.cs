using System.Text.Json.Nodes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// A token's record now vouches for its stored secret hash, its maker and how it was made, and every token expires. At
/// start-up, each token whose latest entry predates that gets an entry of its form now (<c>token.record-upgraded</c>, by
/// the system), and a token stored without an expiry gets the one the lifetime cap gives it — but only a token whose row
/// still equals its latest entry: a row changed behind the application's back is left for verification to report, not
/// blessed by an upgrade.
/// </summary>
public static class UpgradeTokenRecords
{
    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var clock = scope.ServiceProvider.GetRequiredService<Clock>();
        var maxLifetime = scope.ServiceProvider.GetRequiredService<IOptions<ChangeTrailOptions>>().Value.Tokens.MaxLifetime;
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UpgradeTokenRecords));

        var type = LedgerSubjects.ApiToken.Type;
        var marker = $"\"{CanonicalRecords.TokenSecretHashMember}\":";
        var latest = db.LedgerEntries.Where(e => e.SubjectType == type).GroupBy(e => e.SubjectId).Select(g => g.Max(e => e.Index));
        var stale = await db.LedgerEntries.AsNoTracking()
            .Where(e => latest.Contains(e.Index) && e.Record != null && !e.Record.Contains(marker))
            .ToListAsync(cancellationToken);
        if (stale.Count == 0)
            return 0;

        var now = clock.UtcNow;
        var upgraded = 0;
        foreach (var entry in stale)
        {
            var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == Guid.Parse(entry.SubjectId), cancellationToken);
            if (token is null)
                continue; // verification reports a record missing
            if (!StillAsRecorded(entry.Record!, LedgerSubjects.ApiToken.Canonical(token)))
            {
                if (logger.IsEnabled(LogLevel.Critical))
                {
                    logger.LogCritical("Token {TokenId} differs from its latest ledger entry #{Index}; its record is not upgraded. Run ledger verification.",
                        token.Id, entry.Index);
                }
                continue;
            }
            token.ExpiresAt ??= token.CreatedAt + maxLifetime;
            db.Record(LedgerSubjects.ApiToken, SystemActor.Id, "record-upgraded", token, now);
            upgraded++;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (upgraded > 0)
            logger.LogWarning("Recorded {Count} API token(s) in the ledger's current token format (secret hash, maker, expiry).", upgraded);
        return upgraded;
    }

    /// <summary>Whether every member of the old record is unchanged in the current one (the current one only adds members).</summary>
    private static bool StillAsRecorded(string recorded, string current)
    {
        var old = JsonNode.Parse(recorded)!.AsObject();
        var now = JsonNode.Parse(current)!.AsObject();
        return old.All(member => now.TryGetPropertyValue(member.Key, out var value) && JsonNode.DeepEquals(member.Value, value));
    }
}
