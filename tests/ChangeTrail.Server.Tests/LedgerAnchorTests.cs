using System.Net;
using System.Security.Cryptography;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// History cannot be re-signed (issue 9, the second attack): the server remembers, outside the database, the last
/// checkpoint it signed, and after any rewrite of the log — even one that also deletes the tree's nodes, the signed
/// checkpoints and resets the tree — it signs nothing again, on a restart or ever, says so on /readyz and tells the
/// witnesses. Each test starts a server of its own and "restarts" it on the same database and data folder.
/// </summary>
public abstract class LedgerAnchorTests(TestProvider provider)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rewritten_history_with_its_nodes_checkpoints_and_tree_erased_is_not_signed_after_a_restart()
    {
        await using var first = await StartAsync();
        var signed = await first.SignCheckpointAsync();

        // The attack as it was found: an old entry's record and leaf hash rewritten, the nodes and checkpoints deleted,
        // the tree reset, so that a restarted server would rebuild the tree on the forged leaf and sign it.
        await DbAsync(first, async db =>
        {
            var entry = await db.LedgerEntries.OrderBy(e => e.Index).Skip(2).FirstAsync(Ct);
            var forged = entry.Record!.Replace("\"", "\" ", StringComparison.Ordinal);
            await db.LedgerEntries.Where(e => e.Index == entry.Index).ExecuteUpdateAsync(set => set
                .SetProperty(e => e.Record, forged)
                .SetProperty(e => e.LeafHash, LedgerLeaf.Hash(entry.At, entry.ActorId, entry.Action, entry.SubjectType, entry.SubjectId, forged).ToArray()), Ct);
            await db.LedgerNodes.ExecuteDeleteAsync(Ct);
            await db.LedgerCheckpoints.ExecuteDeleteAsync(Ct);
            await db.LedgerTrees.ExecuteUpdateAsync(set => set.SetProperty(t => t.Size, 0L), Ct);
        });
        await using var restarted = await RestartAsync(first);

        (await restarted.Services.GetRequiredService<CheckpointSchedule>().RunOnceAsync(Ct)).ShouldBeNull("the schedule signs nothing");
        await restarted.AsAdmin().PostAsync("/api/v1/ledger/checkpoint").ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "ledger-inconsistent");
        await ShouldNotBeReadyAsync(restarted);
        (await CountAsync(restarted, db => db.LedgerCheckpoints)).ShouldBe(0, "nothing was signed");
        await restarted.Anonymous().GetAsync("/api/v1/ledger/checkpoint").ShouldBeProblemAsync(HttpStatusCode.NotFound, "no-checkpoint-yet");

        // The witnesses hear of it once, with the checkpoint the server remembers.
        var told = await DbAsync(restarted, db => db.WebhookDeliveries.AsNoTracking().Where(d => d.EventType == InconsistencyNotification.EventType).ToListAsync(Ct));
        var payload = System.Text.Json.Nodes.JsonNode.Parse(told.ShouldHaveSingleItem().Payload)!;
        payload["lastSignedCheckpoint"]!.GetValue<string>().ShouldBe(signed, "the checkpoint the server remembers");
        payload["reason"]!.GetValue<string>().ShouldContain("the history was rewritten");
        (await restarted.Services.GetRequiredService<CheckpointSchedule>().RunOnceAsync(Ct)).ShouldBeNull();
        (await CountAsync(restarted, db => db.WebhookDeliveries.Where(d => d.EventType == InconsistencyNotification.EventType))).ShouldBe(1);
    }

    [Fact]
    public async Task Entries_cut_from_the_end_of_the_log_are_refused_too()
    {
        await using var first = await StartAsync();
        await first.SignCheckpointAsync();
        await DbAsync(first, async db =>
        {
            var size = await db.LedgerHeads.Select(h => h.Size).SingleAsync(Ct);
            await db.LedgerEntries.Where(e => e.Index >= size - 2).ExecuteDeleteAsync(Ct);
            await db.LedgerHeads.ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, size - 2), Ct);
            await db.LedgerCheckpoints.ExecuteDeleteAsync(Ct);
        });
        await using var restarted = await RestartAsync(first);

        var refused = await restarted.AsAdmin().PostAsync("/api/v1/ledger/checkpoint").ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "ledger-inconsistent");
        refused.Detail!.ShouldContain("entries were removed");
        await ShouldNotBeReadyAsync(restarted);
    }

    [Fact]
    public async Task A_restart_on_the_log_as_it_was_signed_signs_on_and_is_ready()
    {
        await using var first = await StartAsync();
        var before = await first.SignCheckpointAsync();
        await using var restarted = await RestartAsync(first);
        await new Scenario(restarted).ServiceAsync();

        var after = await restarted.SignCheckpointAsync();

        after.ShouldNotBe(before);
        (await restarted.Anonymous().GetAsync("/readyz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        File.ReadAllText(restarted.Services.GetRequiredService<LedgerAnchor>().FilePath).ShouldBe(after, "the newest signed is remembered");
    }

    [Fact]
    public async Task A_remembered_checkpoint_altered_on_disk_is_not_trusted()
    {
        await using var first = await StartAsync();
        var note = await first.SignCheckpointAsync();
        var path = first.Services.GetRequiredService<LedgerAnchor>().FilePath;
        var lines = note.Split('\n');
        lines[1] = (long.Parse(lines[1]) + 1).ToString(); // a larger size, as if to cover more
        await File.WriteAllTextAsync(path, string.Join('\n', lines), Ct);
        await new Scenario(first).ServiceAsync();

        var refused = await first.AsAdmin().PostAsync("/api/v1/ledger/checkpoint").ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "ledger-inconsistent");
        refused.Detail!.ShouldContain("cannot be trusted");
    }

    private static async Task ShouldNotBeReadyAsync(ChangeTrailApp app)
    {
        var ready = await app.Anonymous().GetAsync("/readyz");
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"status":"ledger-inconsistent"}""");
    }

    private async Task<AnchoredApp> StartAsync()
    {
        if (provider == TestProvider.Postgres)
            TestDatabases.RequirePostgres();
        var app = new AnchoredApp(provider);
        await app.InitializeAsync();
        await new Scenario(app).ServiceAsync();
        return app;
    }

    private static async Task<AnchoredApp> RestartAsync(AnchoredApp previous)
    {
        var app = new AnchoredApp(previous);
        await app.InitializeAsync();
        return app;
    }

    private static async Task DbAsync(ChangeTrailApp app, Func<ChangeTrailDbContext, Task> act)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await act(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>());
    }

    private static async Task<T> DbAsync<T>(ChangeTrailApp app, Func<ChangeTrailDbContext, Task<T>> read)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>());
    }

    private static Task<int> CountAsync<T>(ChangeTrailApp app, Func<ChangeTrailDbContext, IQueryable<T>> rows) =>
        DbAsync(app, db => rows(db).CountAsync(Ct));

    /// <summary>A server with a witness webhook configured, so that what it queues for the witnesses can be read.</summary>
    private sealed class AnchoredApp : ChangeTrailApp
    {
        private static readonly string Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        public AnchoredApp(TestProvider provider) : base(provider)
        {
        }

        public AnchoredApp(AnchoredApp previous) : base(previous)
        {
        }

        protected override void ConfigureTestServices(IWebHostBuilder builder)
        {
            builder.UseSetting("ChangeTrail:Notifications:Webhooks:0:Url", "http://witness.example.test/hooks");
            builder.UseSetting("ChangeTrail:Notifications:Webhooks:0:Secret", Secret);
        }
    }
}

public sealed class LedgerAnchorTests_Sqlite() : LedgerAnchorTests(TestProvider.Sqlite);

public sealed class LedgerAnchorTests_Postgres() : LedgerAnchorTests(TestProvider.Postgres);
