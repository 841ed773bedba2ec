using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Saves that append to the ledger while another is committing are committed together, each still all-or-nothing:
/// one that fails is undone alone and told so, the others commit, and every context can go on using the database —
/// a failed one with its action still queued, so saving it again cannot save the change without its entry.
/// </summary>
public abstract class GroupCommitTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Saves_waiting_on_a_commit_share_the_next_one_and_failing_saves_are_undone_alone()
    {
        var groupCommit = App.Services.GetRequiredService<LedgerGroupCommit>();
        var before = await SizeAsync();
        var firstId = Random.Shared.NextInt64(1_000_000_000, 2_000_000_000);
        var takenId = firstId + 100;
        int[] failing = [1, 5]; // save 1 lends its connection to the saves that wait with it: its failure must not take them down
        await using (var seedScope = App.Services.CreateAsyncScope())
        {
            var seed = seedScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            seed.ChangeNumbers.Add(new ChangeNumber { Id = takenId, AllocatedAt = DateTime.UtcNow });
            await seed.SaveChangesAsync(Ct);
        }

        // Hold the log head's lock, so the first save blocks on it and the others pile up behind it.
        await using var blockerScope = App.Services.CreateAsyncScope();
        var blocker = blockerScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await using var blocking = await blocker.Database.BeginTransactionAsync(Ct);
        await blocker.Database.ExecuteSqlRawAsync("""UPDATE "LedgerHead" SET "Size" = "Size" WHERE "Id" = 1""", Ct);

        var scopes = Enumerable.Range(0, 8).Select(_ => App.Services.CreateAsyncScope()).ToList();
        var contexts = scopes.Select(s => s.ServiceProvider.GetRequiredService<ChangeTrailDbContext>()).ToList();
        var saves = new List<Task<int>>();
        for (var i = 0; i < contexts.Count; i++)
        {
            // Saves 1 and 5 reuse a key already taken: they fail inside the shared transaction and must take nothing else down.
            var id = failing.Contains(i) ? takenId : firstId + i;
            contexts[i].ChangeNumbers.Add(new ChangeNumber { Id = id, AllocatedAt = DateTime.UtcNow });
            contexts[i].Record(new LedgerAction(DateTime.UtcNow, Guid.NewGuid(), "test.saved", "Test", $"save-{i}", $$"""{"save":{{i}}}"""));
            var context = contexts[i];
            saves.Add(Task.Run(() => context.SaveChangesAsync(Ct), Ct)); // SQLite's "async" calls block: keep them off this thread
            if (i == 0)
                await Task.Delay(200, Ct); // the first save is committing (blocked), so the rest wait for the next commit
        }
        await Task.Delay(200, Ct);
        // A failing save may be told early (on PostgreSQL two batches are in flight), but none succeeds before its commit.
        saves.ShouldAllBe(s => !s.IsCompletedSuccessfully, "nothing is acknowledged before its commit");
        await blocking.RollbackAsync(Ct);

        foreach (var i in failing)
            await Should.ThrowAsync<DbUpdateException>(() => saves[i]);
        foreach (var (save, i) in saves.Select((s, i) => (s, i)).Where(x => !failing.Contains(x.i)))
            (await save).ShouldBeGreaterThan(0, $"save {i}");
        groupCommit.MeanBatch.ShouldBeGreaterThan(1, "the waiting saves shared a commit");

        // Exactly the six that succeeded are in the log, contiguous after what was there.
        (await SizeAsync()).ShouldBe(before + 6);
        await using var checkScope = App.Services.CreateAsyncScope();
        var check = checkScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var entries = await check.LedgerEntries.AsNoTracking().Where(e => e.Index >= before).OrderBy(e => e.Index).ToListAsync(Ct);
        entries.Select(e => e.Index).ShouldBe(Enumerable.Range(0, 6).Select(i => before + i));
        entries.Select(e => e.SubjectId).OrderBy(s => s).ShouldBe(new[] { 0, 2, 3, 4, 6, 7 }.Select(i => $"save-{i}"));
        entries.ShouldAllBe(e => Hash32.FromBytes(e.LeafHash) == e.ComputeLeafHash());
        (await check.ChangeNumbers.CountAsync(n => n.Id >= firstId && n.Id < firstId + 8, Ct)).ShouldBe(6);

        // Every context is back on a connection of its own: each can read, and save again, by itself. A failed one
        // still holds its row and its action: once the key is fixed, saving again saves both, the entry as it was recorded.
        for (var i = 0; i < contexts.Count; i++)
        {
            (await contexts[i].ChangeNumbers.CountAsync(n => n.Id >= firstId, Ct)).ShouldBeGreaterThanOrEqualTo(6);
            if (failing.Contains(i))
            {
                var row = contexts[i].ChangeTracker.Entries<ChangeNumber>().Single();
                row.State.ShouldBe(EntityState.Added);
                row.State = EntityState.Detached;
                contexts[i].ChangeNumbers.Add(new ChangeNumber { Id = firstId + i, AllocatedAt = DateTime.UtcNow });
                contexts[i].ChangeTracker.Entries<LedgerEntry>().ShouldBeEmpty("the failed save's entries left the tracker");
            }
            else
            {
                contexts[i].Record(new LedgerAction(DateTime.UtcNow, Guid.NewGuid(), "test.saved-again", "Test", $"save-{i}", $$"""{"again":{{i}}}"""));
            }
            (await contexts[i].SaveChangesAsync(Ct)).ShouldBeGreaterThan(0);
        }
        (await SizeAsync()).ShouldBe(before + 14);
        var resaved = await check.LedgerEntries.AsNoTracking().Where(e => e.Index >= before + 6 && e.Action == "test.saved").ToListAsync(Ct);
        resaved.Select(e => e.SubjectId).OrderBy(s => s).ShouldBe(failing.Select(i => $"save-{i}"));
        (await check.ChangeNumbers.CountAsync(n => n.Id >= firstId && n.Id < firstId + 8, Ct)).ShouldBe(8);
        foreach (var scope in scopes)
            await scope.DisposeAsync();
    }

    [Fact]
    public async Task Whatever_throws_while_a_batch_is_answered_every_waiting_save_is_answered_and_the_next_save_commits()
    {
        var before = await SizeAsync();
        var firstId = Random.Shared.NextInt64(2_000_000_000, 3_000_000_000);
        await using var blockerScope = App.Services.CreateAsyncScope();
        var blocker = blockerScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        await using var blocking = await blocker.Database.BeginTransactionAsync(Ct);
        await blocker.Database.ExecuteSqlRawAsync("""UPDATE "LedgerHead" SET "Size" = "Size" WHERE "Id" = 1""", Ct);

        var scopes = Enumerable.Range(0, 5).Select(_ => App.Services.CreateAsyncScope()).ToList();
        var contexts = scopes.Select(s => s.ServiceProvider.GetRequiredService<ChangeTrailDbContext>()).ToList();
        // A fault injected where the batch answers its saves: accepting a context's changes throws.
        const int faulty = 3;
        contexts[faulty].ChangeTracker.StateChanged += (_, _) => throw new InvalidOperationException("injected fault");
        var saves = new List<Task<int>>();
        for (var i = 0; i < contexts.Count; i++)
        {
            contexts[i].ChangeNumbers.Add(new ChangeNumber { Id = firstId + i, AllocatedAt = DateTime.UtcNow });
            contexts[i].Record(new LedgerAction(DateTime.UtcNow, Guid.NewGuid(), "test.saved", "Test", $"fault-{i}", $$"""{"save":{{i}}}"""));
            var context = contexts[i];
            saves.Add(Task.Run(() => context.SaveChangesAsync(Ct), Ct));
            if (i == 0)
                await Task.Delay(200, Ct);
        }
        await Task.Delay(200, Ct);
        await blocking.RollbackAsync(Ct);

        // Every save is answered (none hangs): the faulty one with its fault, the others as committed.
        var answered = Task.WhenAll(saves.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        await answered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        (await Should.ThrowAsync<InvalidOperationException>(() => saves[faulty])).Message.ShouldBe("injected fault");
        foreach (var (save, i) in saves.Select((s, i) => (s, i)).Where(x => x.i != faulty))
            (await save).ShouldBeGreaterThan(0, $"save {i}");
        (await SizeAsync()).ShouldBe(before + contexts.Count, "the faulty save had committed before its answer failed");

        // The group commit is not left thinking a batch is still in flight: a save arriving now commits.
        await using var afterScope = App.Services.CreateAsyncScope();
        var after = afterScope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        after.Record(new LedgerAction(DateTime.UtcNow, Guid.NewGuid(), "test.saved", "Test", "after-fault", """{"after":true}"""));
        (await after.SaveChangesAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct)).ShouldBe(1);
        foreach (var scope in scopes)
            await scope.DisposeAsync();
    }

    private async Task<long> SizeAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        return await db.LedgerHeads.AsNoTracking().Select(h => h.Size).SingleAsync(Ct);
    }
}

public sealed class GroupCommitTests_Sqlite(SqliteApp app) : GroupCommitTests(app), IClassFixture<SqliteApp>;

public sealed class GroupCommitTests_Postgres(PostgresApp app) : GroupCommitTests(app), IClassFixture<PostgresApp>;
