using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Retention;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Retention;

/// <summary>What one purge run did: the period in force (null when none is set, and then nothing is purged), its cutoff, the changes removed.</summary>
public sealed record PurgeReport(int? RetentionMonths, DateTime? Cutoff, IReadOnlyList<string> Purged);

/// <summary>
/// The retention purge (policy 3.5): removes change requests that ended (closed, rejected or cancelled) and whose
/// last action is older than the retention period, unless a legal hold is on them. For each, in one transaction:
/// the row (with its approvals and timeline) is deleted, its ledger entries lose their records but keep their leaf
/// hashes — so the tree, every checkpoint and every proof still hold — and a <see cref="LedgerPurge"/> entry names
/// each entry it emptied. Nothing is purged until an Admin has set a retention period.
/// </summary>
public sealed class PurgeExpiredChanges(ChangeTrailDbContext db, Clock clock, ILogger<PurgeExpiredChanges> logger)
{
    /// <summary>Candidates read per query; each is purged in a transaction of its own.</summary>
    private const int BatchSize = 100;

    private static readonly ChangeState[] Ended = [ChangeState.Closed, ChangeState.Rejected, ChangeState.Cancelled];

    public async Task<PurgeReport> ExecuteAsync(CancellationToken cancellationToken)
    {
        var setting = await db.RetentionSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (setting is null)
            return new PurgeReport(null, null, []);
        // A row edited below the policy's floor is refused here too: the purge never runs on a period the API would refuse.
        var period = RetentionPeriod.Of(setting.Months);
        if (!period.IsSuccess)
            throw new InvalidOperationException($"The stored retention period is invalid: {period.Error!.Detail}");

        var now = clock.UtcNow;
        var cutoff = period.Value!.CutoffAt(now);
        var purged = new List<string>();
        var skipped = new HashSet<Guid>();
        while (true)
        {
            var candidates = await db.ChangeRequests.AsNoTracking()
                .Where(c => Ended.Contains(c.State) && c.UpdatedAt < cutoff && c.LegalHold == null && !skipped.Contains(c.Id))
                .OrderBy(c => c.UpdatedAt).Select(c => c.Id).Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (candidates.Count == 0)
                break;
            foreach (var id in candidates)
            {
                if (await PurgeAsync(id, period.Value, now, cutoff, cancellationToken) is { } number)
                    purged.Add(number);
                else
                    skipped.Add(id);
            }
        }
        if (purged.Count > 0 && logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("Retention purge: {Count} change request(s) past {Months} months removed: {Numbers}.", purged.Count,
                period.Value.Months, string.Join(", ", purged));
        return new PurgeReport(period.Value.Months, cutoff, purged);
    }

    /// <summary>Purges one change in one transaction; its number, or null when it is no longer eligible (or another instance took it).</summary>
    private async Task<string?> PurgeAsync(Guid id, RetentionPeriod period, DateTime now, DateTime cutoff, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var change = await db.ChangeRequests.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (change is null || !change.CanBePurged(cutoff).IsSuccess)
            return null;

        var subjectId = id.ToString();
        var entries = await db.LedgerEntries
            .Where(e => e.SubjectType == LedgerSubjects.ChangeRequest.Type && e.SubjectId == subjectId && e.Record != null)
            .OrderBy(e => e.Index).ToListAsync(cancellationToken);
        if (entries.Any(e => e.At >= cutoff))
        {
            logger.LogWarning("{Change} has ledger entries newer than its last action; it is not purged.", change.DisplayNumber);
            return null;
        }

        var purge = LedgerPurge.Of(period, now,
            entries.Select(e => new PurgedEntry(e.Index, LedgerPurge.Instant(e.At), Convert.ToHexStringLower(e.LeafHash))));
        foreach (var entry in entries)
            entry.Record = null;
        db.ChangeRequests.Remove(change);
        db.Record(new LedgerAction(now, SystemActor.Id, LedgerPurge.Action, LedgerSubjects.ChangeRequest.Type, subjectId, purge.ToJson()));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return change.DisplayNumber;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Changed or purged by someone else since it was read: the next run looks at it afresh.
            db.DiscardRecorded();
            return null;
        }
    }
}
