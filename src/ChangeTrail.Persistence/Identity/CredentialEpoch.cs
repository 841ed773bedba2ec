using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace ChangeTrail.Persistence.Identity;

/// <summary>
/// One row whose value changes, in the same transaction, with every change to what a credential grants: a token made or
/// revoked, a person made, changed or deactivated, a role given or taken away. A server that keeps credentials in memory
/// reads this row first on every request and trusts what it keeps only while the value is the one it kept them under,
/// so every such change reaches every instance on the very next request.
/// </summary>
public sealed class CredentialEpoch
{
    public const int SingletonId = 1;

    /// <summary>The SQL that reads the value, the same on both providers: a primary key lookup.</summary>
    public const string ReadSql = """SELECT "Value" FROM "CredentialEpoch" WHERE "Id" = 1""";

    public int Id { get; set; }

    /// <summary>
    /// A random value, not a counter: two transactions that change credentials at once write two different values, so
    /// a value read always names one commit, the last one, and every credential change committed before it.
    /// </summary>
    public long Value { get; set; }

    /// <summary>Whether a save would change what a credential grants; only the credential rows' own entries are looked at.</summary>
    internal static bool AnyChangeIn(ChangeTracker tracker)
    {
        // No DetectChanges over the whole tracker (the save runs it once, later): entries of other types are skipped, and
        // each credential row is compared with its snapshot on its own.
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in tracker.Entries())
            {
                if (entry.Entity is not (ApiToken or AppUser or IdentityUserRole<Guid> or IdentityRole<Guid>))
                    continue;
                if (entry.State == EntityState.Unchanged)
                    entry.DetectChanges();
                if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                    return true;
            }
            return false;
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }
}
