using System.Globalization;
using System.Net.Http.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using static ChangeTrail.Cli.Tests.LedgerKit;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// Someone with write access to the database alters it behind the application's back, the way such a person would:
/// with SQL on the tables, never through the API. Each alteration must be caught twice: by <c>ledger verify</c> against
/// the server, and offline on the bundle the server's own <c>GET /api/v1/export</c> (<c>changetrail export</c>) produces
/// afterwards, with the message naming what was changed. Every test has a server of its own, on each database, so an
/// alteration cannot leak into another test. The tree's stored nodes (table LedgerNode) are left alone: the tests alter
/// only what the log's contract names (entries, head, checkpoints) and the records themselves.
/// </summary>
public abstract class LedgerTamperTests(TestProvider provider) : ProviderCliTests(provider)
{
    [Fact]
    public async Task A_change_request_edited_directly_differs_from_its_latest_entry()
    {
        await using var site = await SiteAsync();
        var latest = (await site.ChangeEntriesAsync()).Max(e => e.Index);

        await site.DbAsync(async db =>
            (await db.ChangeRequests.Where(c => c.Id == site.Change)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Title, "Quietly retitled"), Ct)).ShouldBe(1));

        await ShouldFailAsync(site, $"ChangeRequest {site.Change} differs from its latest ledger entry #{latest}\n");
    }

    [Fact]
    public async Task A_ledger_entrys_record_edited_directly_is_a_leaf_hash_mismatch_naming_the_entry()
    {
        await using var site = await SiteAsync();
        var entry = (await site.ChangeEntriesAsync()).Single(e => e.Action == "change.submitted");
        var forged = entry.Record!.Replace("\"title\":\"", "\"title\":\"Forged ", StringComparison.Ordinal);
        forged.ShouldNotBe(entry.Record);

        await site.DbAsync(async db =>
            (await db.LedgerEntries.Where(e => e.Index == entry.Index)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.Record, forged), Ct)).ShouldBe(1));

        await ShouldFailAsync(site,
            $"entry #{entry.Index}: leaf hash does not match its contents (change.submitted on ChangeRequest {site.Change})\n");
    }

    [Fact]
    public async Task An_entry_deleted_from_the_middle_is_missing()
    {
        await using var site = await SiteAsync();
        var middle = site.Size / 2;

        await site.DbAsync(async db =>
            (await db.LedgerEntries.Where(e => e.Index == middle).ExecuteDeleteAsync(Ct)).ShouldBe(1));

        await ShouldFailAsync(site, $"entry #{middle} missing (log jumps from {middle - 1} to {middle + 1})\n");
    }

    [Fact]
    public async Task An_entry_inserted_in_the_middle_with_the_tail_moved_up_and_the_head_advanced_changes_the_root()
    {
        await using var site = await SiteAsync();
        var submitted = (await site.ChangeEntriesAsync()).Single(e => e.Action == "change.submitted");
        var at = submitted.Index + 1;

        // A careful forger: an approval that never happened, right after the submission, with a leaf hash that matches its
        // contents; every later entry moved up one place (in two steps, as the index is unique), and the head advanced so
        // that no entry falls off the end. The server then signs the grown log as usual.
        await site.DbAsync(async db =>
        {
            await db.Database.ExecuteSqlAsync($"""UPDATE "LedgerEntry" SET "Index" = -"Index" - 1 WHERE "Index" >= {at}""", Ct);
            await db.Database.ExecuteSqlAsync($"""UPDATE "LedgerEntry" SET "Index" = -"Index" WHERE "Index" < 0""", Ct);
            db.LedgerEntries.Add(Forge(submitted, at, site.App.AdminId, "change.approved",
                submitted.Record!.Replace("\"state\":\"Submitted\"", "\"state\":\"Approved\"", StringComparison.Ordinal)));
            await db.SaveChangesAsync(Ct);
            await db.LedgerHeads.ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, h => h.Size + 1), Ct);
        });

        // Every entry is well formed and the indexes run without a gap, so what gives the forgery away is the root: the
        // signed tree was built from the leaves as they were, and the entries now give another.
        var signed = Hex(await CheckpointAsync(site.App));
        var served = await EntriesAsync(site.App);
        served.Count.ShouldBe((int)site.Size + 1);
        served[(int)at].Action.ShouldBe("change.approved");
        await ShouldFailAsync(site, $"root mismatch: the entries give {RootOf(served.Select(e => e.LeafHash))}, the checkpoint signs {signed}\n");
    }

    [Fact]
    public async Task An_entry_appended_beyond_the_checkpoint_is_named_by_the_record_it_contradicts()
    {
        await using var site = await SiteAsync();
        var submitted = (await site.ChangeEntriesAsync()).Single(e => e.Action == "change.submitted");
        var at = site.Size;

        // The one place an entry can be added without moving any other: the end. The server signs it like any append; but
        // the change request it claims was approved is still Submitted, and its latest entry says otherwise.
        await site.DbAsync(async db =>
        {
            db.LedgerEntries.Add(Forge(submitted, at, site.App.AdminId, "change.approved",
                submitted.Record!.Replace("\"state\":\"Submitted\"", "\"state\":\"Approved\"", StringComparison.Ordinal)));
            await db.SaveChangesAsync(Ct);
            await db.LedgerHeads.ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, h => h.Size + 1), Ct);
        });

        await ShouldFailAsync(site, $"ChangeRequest {site.Change} differs from its latest ledger entry #{at}\n");
    }

    [Fact]
    public async Task Two_entries_swapped_change_the_root()
    {
        await using var site = await SiteAsync();
        var (first, second) = (site.Size / 2, site.Size / 2 + 1);

        await site.DbAsync(async db =>
        {
            await db.Database.ExecuteSqlAsync($"""UPDATE "LedgerEntry" SET "Index" = -1 WHERE "Index" = {first}""", Ct);
            await db.Database.ExecuteSqlAsync($"""UPDATE "LedgerEntry" SET "Index" = {first} WHERE "Index" = {second}""", Ct);
            await db.Database.ExecuteSqlAsync($"""UPDATE "LedgerEntry" SET "Index" = {second} WHERE "Index" = -1""", Ct);
        });

        // The server serves entries in index order, so the indexes still run 0, 1, 2, ... and each leaf hash matches its
        // entry (a leaf does not hash its position); the order of the leaves is in the root.
        var served = await EntriesAsync(site.App);
        await ShouldFailAsync(site,
            $"root mismatch: the entries give {RootOf(served.Select(e => e.LeafHash))}, the checkpoint signs {Hex(site.Checkpoint)}\n");
    }

    [Fact]
    public async Task A_log_truncated_with_its_head_lowered_is_truncated()
    {
        await using var site = await SiteAsync();
        var size = site.Size;

        await site.DbAsync(async db =>
        {
            (await db.LedgerEntries.Where(e => e.Index >= size - 2).ExecuteDeleteAsync(Ct)).ShouldBe(2);
            await db.LedgerHeads.ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, size - 2), Ct);
        });

        await ShouldFailAsync(site, $"log truncated: the entries end at #{size - 3}, but the checkpoint signs {size} entries\n");
    }

    [Fact]
    public async Task A_stored_checkpoint_altered_fails_its_signature()
    {
        await using var site = await SiteAsync();

        // The note claims another root (its first base64 digit changed) under the old signature line.
        await site.DbAsync(async db =>
        {
            var note = (await db.LedgerCheckpoints.AsNoTracking().SingleAsync(c => c.TreeSize == site.Size, Ct)).Note;
            var lines = note.Split('\n');
            lines[2] = (lines[2][0] == 'A' ? "B" : "A") + lines[2][1..];
            (await db.LedgerCheckpoints.Where(c => c.TreeSize == site.Size)
                .ExecuteUpdateAsync(set => set.SetProperty(c => c.Note, string.Join('\n', lines)), Ct)).ShouldBe(1);
        });

        await ShouldFailAsync(site, $"checkpoint signature does not verify with key {site.Key}: the checkpoint was altered\n");
    }

    [Fact]
    public async Task A_rewritten_history_is_never_signed_the_server_says_so_and_verification_names_the_disagreement()
    {
        await using var site = await SiteAsync(oddSize: true);
        var cli = new CliRunner(site.App.Server.CreateHandler());
        var first = await cli.RunAsync(site.App.AdminToken, "ledger", "verify", "--public-key", site.Key, "--state-file", StateFile);
        first.ExitCode.ShouldBe(ExitCodes.Success, first.ToString());
        var last = (await EntriesAsync(site.App))[^1];
        last.Index.ShouldBe(site.Size - 1);

        // The last entry, backdated by an hour, with its leaf hash recomputed so that it matches; nothing else is touched.
        // The log's size is odd, so that leaf is in no stored subtree yet: when the log grows, the tree is built on the
        // rewritten leaf, and a server that signed what it found would sign a history other than the one it signed before.
        var backdated = ParseInstant(last.At).AddHours(-1);
        var leaf = LedgerLeaf.Hash(backdated, last.ActorId, last.Action, last.SubjectType, last.SubjectId, last.Record!).ToArray();
        await site.DbAsync(async db =>
            (await db.LedgerEntries.Where(e => e.Index == last.Index)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.At, backdated).SetProperty(e => e.LeafHash, leaf), Ct)).ShouldBe(1));
        await ActivityAsync(site.App);

        // The server proves the grown tree against the checkpoint it remembers signing, and refuses.
        var refused = await site.App.AsAdmin().PostAsync("/api/v1/ledger/checkpoint");
        (await ApiClient.ProblemAsync(refused, System.Net.HttpStatusCode.ServiceUnavailable)).Type.ShouldBe("/problems/ledger-inconsistent");
        var ready = await site.App.Anonymous().GetAsync("/readyz");
        ready.StatusCode.ShouldBe(System.Net.HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync(Ct)).ShouldContain("ledger-inconsistent");
        BodyOf(await site.App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct)).ShouldBe(site.Checkpoint, "nothing new was signed");

        // The auditor is told the server refused, and the entries, checked against the checkpoint signed before, disagree.
        var rewritten = RootOf((await EntriesAsync(site.App)).Take((int)site.Size).Select(e => e.LeafHash));
        var online = await cli.RunAsync(site.App.AdminToken, "ledger", "verify", "--public-key", site.Key, "--state-file", StateFile);
        online.ExitCode.ShouldBe(ExitCodes.Denied, online.ToString());
        online.Error.ShouldContain("warning: the server refuses to sign a new checkpoint", customMessage: online.ToString());
        online.Error.ShouldEndWith($"error: ledger verification failed: root mismatch: the entries give {rewritten}, the checkpoint signs " +
            $"{Hex(site.Checkpoint)}\n", customMessage: online.ToString());

        // Nor does the export sign it.
        var export = await cli.RunAsync(site.App.AdminToken, "export", "--out", Path.Combine(Folder, "refused.zip"));
        export.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, export.ToString());
        export.Error.ShouldContain("[ledger-inconsistent]");
    }

    [Fact]
    public async Task A_history_rewritten_and_signed_anew_is_caught_by_the_checkpoint_an_auditor_holds_online_and_offline()
    {
        await using var site = await SiteAsync();
        var held = Path.Combine(Folder, "witness-checkpoint.txt");
        await File.WriteAllTextAsync(held, await site.App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct), Ct);
        var cli = new CliRunner(site.App.Server.CreateHandler());

        // Everything the database and the server hold, rewritten: an old entry's record and leaf hash, the tree's nodes, the
        // signed checkpoints, and the server's own memory of what it signed. The server then signs the rewritten log.
        var entry = (await site.ChangeEntriesAsync()).Single(e => e.Action == "change.created");
        var forged = entry.Record!.Replace("\"title\":\"", "\"title\":\"Rewritten ", StringComparison.Ordinal);
        var at = ParseInstant(entry.At);
        var leaf = LedgerLeaf.Hash(at, entry.ActorId, entry.Action, entry.SubjectType, entry.SubjectId, forged).ToArray();
        await site.DbAsync(async db =>
        {
            await db.LedgerEntries.Where(e => e.Index == entry.Index)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.Record, forged).SetProperty(e => e.LeafHash, leaf), Ct);
            await db.LedgerNodes.ExecuteDeleteAsync(Ct);
            await db.LedgerCheckpoints.ExecuteDeleteAsync(Ct);
            await db.LedgerTrees.ExecuteUpdateAsync(set => set.SetProperty(t => t.Size, 0L), Ct);
        });
        File.Delete(site.App.Services.GetRequiredService<Server.Features.Ledger.LedgerAnchor>().FilePath);
        var resigned = BodyOf(await site.App.SignCheckpointAsync());
        resigned.TreeSize.ShouldBe(site.Size);
        Hex(resigned).ShouldNotBe(Hex(site.Checkpoint));

        // Trusting only the server's key, the rewritten log is consistent with itself: nothing to see (a later change
        // request's record differs, but not the one the forger rewrote the history of, whose record is unchanged now).
        var blind = await cli.RunAsync(site.App.AdminToken, "ledger", "verify", "--public-key", site.Key, "--state-file", StateFile);
        blind.ExitCode.ShouldBe(ExitCodes.Success, blind.ToString());

        // Holding the checkpoint a witness received before, the auditor catches it, online and in the export.
        var expected = $"error: ledger verification failed: the checkpoint you hold in {held} signs root {Hex(site.Checkpoint)} for the " +
            $"first {site.Size} entries, but the log's first {site.Size} entries now give {Hex(resigned)}: the history it " +
            "covers was rewritten\n";
        var online = await cli.RunAsync(site.App.AdminToken, "ledger", "verify", "--public-key", site.Key, "--state-file",
            Path.Combine(Folder, "fresh-state.json"), "--checkpoint", held);
        online.ExitCode.ShouldBe(ExitCodes.Denied, online.ToString());
        online.Error.ShouldBe(expected, customMessage: online.ToString());

        var bundle = await ExportAsync(site.App, Folder);
        var offline = await RunOfflineAsync("ledger", "verify", "--bundle", bundle, "--public-key", site.Key, "--state-file",
            Path.Combine(Folder, "offline-state.json"), "--checkpoint", held);
        offline.ExitCode.ShouldBe(ExitCodes.Denied, offline.ToString());
        offline.Error.ShouldBe(expected, customMessage: offline.ToString());
    }

    [Fact]
    public async Task A_change_request_deleted_directly_is_a_record_missing_naming_it_and_its_latest_entry()
    {
        await using var site = await SiteAsync();
        var latest = (await site.ChangeEntriesAsync()).Max(e => e.Index);

        await site.DbAsync(async db =>
            (await db.ChangeRequests.Where(c => c.Id == site.Change).ExecuteDeleteAsync(Ct)).ShouldBe(1));

        await ShouldFailAsync(site, $"ChangeRequest {site.Change} is missing: its latest entry #{latest} says it exists, and no purge " +
            "entry removed it\n");
    }

    [Fact]
    public async Task A_tokens_stored_hash_swapped_to_let_another_secret_in_differs_from_its_latest_entry()
    {
        await using var site = await SiteAsync();
        var (token, latest) = await site.DbAsync(async db =>
        {
            // A requestor's token: the one the auditor's own runs authenticate with stays as it is.
            var token = await db.ApiTokens.AsNoTracking().FirstAsync(t => t.OwnerId != site.App.AdminId, Ct);
            var index = await db.LedgerEntries.Where(e => e.SubjectType == LedgerSubjects.ApiToken.Type && e.SubjectId == token.Id.ToString())
                .MaxAsync(e => e.Index, Ct);
            return (token.Id, index);
        });
        var attackersSecret = $"ctp_{new string('A', 43)}";

        await site.DbAsync(async db =>
            (await db.ApiTokens.Where(t => t.Id == token)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.TokenHash, Server.Auth.TokenSecrets.Hash(attackersSecret)), Ct)).ShouldBe(1));
        (await site.App.As(attackersSecret).GetAsync("/api/v1/changes")).IsSuccessStatusCode.ShouldBeTrue("the swapped hash lets the secret in");

        await ShouldFailAsync(site, $"ApiToken {token} differs from its latest ledger entry #{latest}\n");
    }

    [Fact]
    public async Task After_a_retention_purge_the_ledger_still_verifies_online_and_offline()
    {
        await using var site = await SiteAsync();
        var purged = await site.PurgeAsync();
        (await site.ChangeEntriesAsync(purged)).ShouldBeEmpty("the purged change is gone from the API");

        var online = await new CliRunner(site.App.Server.CreateHandler())
            .RunAsync(site.App.AdminToken, "ledger", "verify", "--public-key", site.Key, "--state-file", StateFile);
        online.ExitCode.ShouldBe(ExitCodes.Success, online.ToString());
        var bundle = await ExportAsync(site.App, Folder);
        var offline = await RunOfflineAsync("ledger", "verify", "--bundle", bundle, "--public-key", site.Key,
            "--state-file", Path.Combine(Folder, "offline-state.json"));
        offline.ExitCode.ShouldBe(ExitCodes.Success, offline.ToString());
        Bundle.Read(bundle).Entries.Count(e => e["record"] is null).ShouldBeGreaterThan(0, "the bundle holds purged entries");
    }

    [Fact]
    public async Task A_record_removed_without_a_purge_entry_is_named()
    {
        await using var site = await SiteAsync();
        var entry = (await site.ChangeEntriesAsync()).Single(e => e.Action == "change.created");

        await site.DbAsync(async db =>
            (await db.LedgerEntries.Where(e => e.Index == entry.Index)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.Record, (string?)null), Ct)).ShouldBe(1));

        await ShouldFailAsync(site,
            $"entry #{entry.Index}: its record was removed (change.created on ChangeRequest {site.Change}), but no purge entry accounts for it\n");
    }

    [Fact]
    public async Task A_purge_entry_forged_with_a_period_below_twelve_months_is_invalid()
    {
        await using var site = await SiteAsync();
        var entries = await site.ChangeEntriesAsync();
        var last = entries[^1];
        var index = site.Size; // appended beyond the checkpoint, as the server would have appended it
        var now = ParseInstant(last.At).AddMonths(1);
        // A period the server would refuse (RetentionPeriod.Of(1) fails), written as a forger would write it.
        var purge = new LedgerPurge(1, LedgerPurge.Instant(now.AddMonths(-1)), [.. entries.Select(e => new PurgedEntry(e.Index, e.At, e.LeafHash))]);

        await site.DbAsync(async db =>
        {
            foreach (var e in entries)
                await db.LedgerEntries.Where(x => x.Index == e.Index).ExecuteUpdateAsync(set => set.SetProperty(x => x.Record, (string?)null), Ct);
            await db.ChangeRequests.Where(c => c.Id == site.Change).ExecuteDeleteAsync(Ct);
            db.LedgerEntries.Add(Forge(last, index, Domain.Identity.SystemActor.Id, LedgerPurge.Action, purge.ToJson(), now));
            await db.SaveChangesAsync(Ct);
            await db.LedgerHeads.ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, index + 1), Ct);
        });

        await ShouldFailAsync(site, $"entry #{index} ({LedgerPurge.Action} on ChangeRequest {site.Change}) is not a valid purge: " +
            "its retention period of 1 months is below the 12 months policy 3.5 requires\n");
    }

    /// <summary>
    /// A server of the test's own with some history and a checkpoint signed over all of it, as the schedule would have
    /// signed one before anyone tampered. With <paramref name="oddSize"/>, the log ends at an odd size.
    /// </summary>
    private async Task<Site> SiteAsync(bool oddSize = false)
    {
        var server = await StartAsync(Provider);
        try
        {
            var change = await ActivityAsync(server);
            await ActivityAsync(server);
            if (oddSize && (await EntriesAsync(server)).Count % 2 == 0)
                await new Scenario(server).ServiceAsync();
            var checkpoint = await CheckpointAsync(server);
            checkpoint.TreeSize.ShouldBeGreaterThan(6);
            if (oddSize)
                (checkpoint.TreeSize % 2).ShouldBe(1);
            return new Site(server, change, await PublicKeyAsync(server), checkpoint);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>The tampering must make both verifications fail with exit code 1 and exactly this message.</summary>
    private async Task ShouldFailAsync(Site site, string expected)
    {
        var online = await new CliRunner(site.App.Server.CreateHandler())
            .RunAsync(site.App.AdminToken, "ledger", "verify", "--public-key", site.Key, "--state-file", StateFile);
        online.ExitCode.ShouldBe(ExitCodes.Denied, online.ToString());
        online.Error.ShouldBe($"error: ledger verification failed: {expected}", customMessage: online.ToString());
        online.Out.ShouldBeEmpty();

        var bundle = await ExportAsync(site.App, Folder);
        var offline = await RunOfflineAsync("ledger", "verify", "--bundle", bundle, "--public-key", site.Key, "--state-file", StateFile);
        offline.ExitCode.ShouldBe(ExitCodes.Denied, offline.ToString());
        offline.Error.ShouldBe($"error: ledger verification failed: {expected}", customMessage: offline.ToString());
        File.Exists(StateFile).ShouldBeFalse("nothing verified, nothing remembered");
    }

    /// <summary>An entry as a forger with the source code would write it: its leaf hash computed from its contents.</summary>
    private static LedgerEntry Forge(ChangeLedgerEntryDto after, long index, Guid actorId, string action, string record, DateTime? when = null)
    {
        record.ShouldNotBe(after.Record);
        var at = when ?? ParseInstant(after.At).AddSeconds(1);
        return new LedgerEntry
        {
            Index = index,
            At = at,
            ActorId = actorId,
            Action = action,
            SubjectType = after.SubjectType,
            SubjectId = after.SubjectId,
            Record = record,
            LeafHash = LedgerLeaf.Hash(at, actorId, action, after.SubjectType, after.SubjectId, record).ToArray(),
        };
    }

    private static DateTime ParseInstant(string at) => DateTime.ParseExact(at, LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture,
        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>A server to tamper with: its change request, the verifier key an auditor holds, and the checkpoint signed before.</summary>
    private sealed class Site(ChangeTrailApp app, Guid change, string key, Domain.Ledger.Checkpoints.Checkpoint checkpoint) : IAsyncDisposable
    {
        public ChangeTrailApp App { get; } = app;

        public Guid Change { get; } = change;

        public string Key { get; } = key;

        public Domain.Ledger.Checkpoints.Checkpoint Checkpoint { get; } = checkpoint;

        public long Size => Checkpoint.TreeSize;

        public async Task<IReadOnlyList<ChangeLedgerEntryDto>> ChangeEntriesAsync() =>
            (await App.AsAdmin().GetJsonAsync<ChangeLedgerResponse>($"/api/v1/changes/{Change}/ledger")).Entries;

        /// <summary>The entries of <paramref name="change"/> the change's ledger endpoint serves (none once it is purged).</summary>
        public async Task<IReadOnlyList<ChangeLedgerEntryDto>> ChangeEntriesAsync(Guid change)
        {
            var response = await App.AsAdmin().GetAsync($"/api/v1/changes/{change}/ledger");
            return response.StatusCode == System.Net.HttpStatusCode.NotFound ? [] : (await ApiClient.ReadAsync<ChangeLedgerResponse>(response)).Entries;
        }

        /// <summary>
        /// A cancelled change past a 12-month retention, purged by the server's own schedule; returns its id. The clock
        /// moves 13 months on: entries appended since the checkpoint stay unsigned until the next one.
        /// </summary>
        public async Task<Guid> PurgeAsync()
        {
            var scenario = new Scenario(App);
            (await App.AsAdmin().Http.PutAsJsonAsync("/api/v1/settings/retention", new SetRetentionRequest(12), Ct)).EnsureSuccessStatusCode();
            var requestor = await scenario.PersonAsync(Domain.Identity.Role.Requestor);
            var draft = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", scenario.CompleteChange(await scenario.ServiceAsync()));
            (await requestor.Client.PostAsync($"/api/v1/changes/{draft.Id}/cancel", new NotesRequest(null, "not needed"))).EnsureSuccessStatusCode();
            App.Time.Advance(TimeSpan.FromDays(400));
            var report = await App.Services.GetRequiredService<Server.Features.Retention.RetentionSchedule>().RunOnceAsync(Ct);
            report.ShouldNotBeNull().Purged.ShouldBe([draft.Number]);
            return draft.Id;
        }

        /// <summary>Runs <paramref name="tamper"/> on the server's database, through its own context, outside the application.</summary>
        public async Task DbAsync(Func<ChangeTrailDbContext, Task> tamper)
        {
            await using var scope = App.Services.CreateAsyncScope();
            await tamper(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>());
        }

        /// <summary>Reads the server's database directly, as the tamperer does before altering it.</summary>
        public async Task<T> DbAsync<T>(Func<ChangeTrailDbContext, Task<T>> read)
        {
            await using var scope = App.Services.CreateAsyncScope();
            return await read(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>());
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}

public sealed class LedgerTamperTests_Sqlite() : LedgerTamperTests(TestProvider.Sqlite);

public sealed class LedgerTamperTests_Postgres() : LedgerTamperTests(TestProvider.Postgres);
