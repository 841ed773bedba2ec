using System.Net;
using System.Net.Http.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Server.Features.Retention;
using ChangeTrail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Policy 3.5: change records are kept at least 12 calendar months. The retention setting refuses less; the purge
/// removes only ended changes past it and not under legal hold, keeps their leaf hashes, and is itself recorded.
/// </summary>
public abstract class RetentionTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Settings = "/api/v1/settings/retention";
    private const string Ledger = "/api/v1/ledger";

    [Fact]
    public async Task Retention_below_twelve_months_is_refused_naming_the_field_and_changes_nothing()
    {
        var before = await S.Admin.GetJsonAsync<RetentionResponse>(Settings);

        var tooShort = await ApiClient.ProblemAsync(await S.Admin.Http.PutAsJsonAsync(Settings, new SetRetentionRequest(11), Ct),
            HttpStatusCode.UnprocessableEntity);
        tooShort.Type.ShouldBe("/problems/retention-too-short");
        tooShort.Errors!.Keys.ShouldBe(["months"]);
        var missing = await ApiClient.ProblemAsync(await S.Admin.Http.PutAsJsonAsync(Settings, new SetRetentionRequest(null), Ct),
            HttpStatusCode.UnprocessableEntity);
        missing.Errors!.Keys.ShouldBe(["months"]);

        (await S.Admin.GetJsonAsync<RetentionResponse>(Settings)).ShouldBe(before);
    }

    [Fact]
    public async Task Only_an_admin_sets_retention_and_each_change_of_it_is_a_ledger_entry()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        (await requestor.Client.Http.PutAsJsonAsync(Settings, new SetRetentionRequest(24), Ct)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var set = await ReadAsync(await S.Admin.Http.PutAsJsonAsync(Settings, new SetRetentionRequest(25), Ct));
        set.Months.ShouldBe(25);
        set.Cutoff.ShouldNotBeNull().ShouldBe(App.Time.GetUtcNow().UtcDateTime.AddMonths(-25), TimeSpan.FromSeconds(5));
        var entries = await EntriesAsync();
        var recorded = entries.Last(e => e.SubjectType == "Setting");
        recorded.Action.ShouldBe("settings.retention-changed");
        recorded.SubjectId.ShouldBe("retention");
        recorded.Record.ShouldNotBeNull().ShouldContain("\"months\":25");

        // The same value again records nothing new.
        await ReadAsync(await S.Admin.Http.PutAsJsonAsync(Settings, new SetRetentionRequest(25), Ct));
        (await EntriesAsync()).Count(e => e.SubjectType == "Setting").ShouldBe(entries.Count(e => e.SubjectType == "Setting"));
    }

    [Fact]
    public async Task An_auditor_places_and_releases_a_legal_hold_and_the_refusals_change_nothing()
    {
        var (requestor, _, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var auditor = await AuditorAsync();
        var path = $"/api/v1/changes/{change.Number}/legal-hold";

        (await requestor.Client.PostAsync(path, new LegalHoldRequest("mine"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var noReason = await ApiClient.ProblemAsync(await auditor.PostAsync(path, new LegalHoldRequest(" ")), HttpStatusCode.UnprocessableEntity);
        noReason.Errors!.Keys.ShouldBe(["reason"]);
        (await requestor.GetAsync(change.Number)).LegalHold.ShouldBeNull();

        var held = await ApiClient.ReadAsync<ChangeResponse>(await auditor.PostAsync(path, new LegalHoldRequest("Litigation 2026-17")));
        held.LegalHold.ShouldNotBeNull().Reason.ShouldBe("Litigation 2026-17");
        held.State.ShouldBe(ChangeState.Submitted, "a hold changes no state");
        held.Timeline[^1].Action.ShouldBe("legal-hold-placed");
        (await ApiClient.ProblemAsync(await auditor.PostAsync(path, new LegalHoldRequest("again")), HttpStatusCode.Conflict))
            .Type.ShouldBe("/problems/already-under-legal-hold");
        (await EntriesAsync()).Last(e => e.SubjectId == change.Id.ToString()).Action.ShouldBe("change.legal-hold-placed");

        var released = await ApiClient.ReadAsync<ChangeResponse>(await auditor.Http.DeleteAsync(path, Ct));
        released.LegalHold.ShouldBeNull();
        released.Timeline[^1].Action.ShouldBe("legal-hold-released");
        (await ApiClient.ProblemAsync(await auditor.Http.DeleteAsync(path, Ct), HttpStatusCode.Conflict))
            .Type.ShouldBe("/problems/not-under-legal-hold");
    }

    [Fact]
    public async Task The_purge_removes_only_ended_changes_past_retention_without_a_hold_and_the_tree_still_proves_everything()
    {
        await ReadAsync(await S.Admin.Http.PutAsJsonAsync(Settings, new SetRetentionRequest(12), Ct));
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var auditor = await AuditorAsync();
        var service = await S.ServiceAsync();
        var expired = await CancelledAsync(requestor, service);
        var held = await CancelledAsync(requestor, service);
        await auditor.PostAsync($"/api/v1/changes/{held.Number}/legal-hold", new LegalHoldRequest("Investigation"));
        var open = await requestor.CreateAsync(S.CompleteChange(service));

        App.Time.Advance(TimeSpan.FromDays(200));
        var recent = await CancelledAsync(requestor, service);

        // Not yet twelve months since the last action of any of them.
        App.Time.Advance(TimeSpan.FromDays(165));
        (await PurgeAsync()).Purged.ShouldBeEmpty();

        // Twelve calendar months and a day after the first ones ended.
        App.Time.SetUtcNow(App.Time.GetUtcNow().AddDays(-365).AddMonths(12).AddDays(2));
        var before = await CheckpointProofAsync(0);
        var expiredEntries = (await EntriesAsync()).Where(e => e.SubjectId == expired.Id.ToString()).ToList();

        var report = await PurgeAsync();

        report.Purged.ShouldBe([expired.Number]);
        report.RetentionMonths.ShouldBe(12);
        (await S.Admin.GetAsync($"/api/v1/changes/{expired.Number}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        foreach (var kept in new[] { held, open, recent })
            (await S.Admin.GetAsync($"/api/v1/changes/{kept.Number}")).StatusCode.ShouldBe(HttpStatusCode.OK, kept.Number);

        // The purged change's entries keep their place and leaf hash, lose their record, and the purge names each.
        var after = (await EntriesAsync()).Where(e => e.SubjectId == expired.Id.ToString()).ToList();
        after.Take(expiredEntries.Count).ShouldAllBe(e => e.Record == null);
        after.Take(expiredEntries.Count).Select(e => (e.Index, e.LeafHash)).ShouldBe(expiredEntries.Select(e => (e.Index, e.LeafHash)));
        var purgeEntry = after.Last();
        purgeEntry.Action.ShouldBe(LedgerPurge.Action);
        purgeEntry.ActorId.ShouldBe(SystemActor.Id);
        var purge = LedgerPurge.TryParse(purgeEntry.Record!).ShouldNotBeNull();
        purge.RetentionMonths.ShouldBe(12);
        purge.Entries.Select(e => (e.Index, e.At, e.LeafHash)).ShouldBe(expiredEntries.Select(e => (e.Index, e.At, e.LeafHash)));

        // The tree signed before the purge is a prefix of the one signed after, and a purged entry is still proved.
        var now = await CheckpointProofAsync(expiredEntries[0].Index);
        now.LeafHash.ShouldBe(expiredEntries[0].LeafHash);
        MerkleMath.VerifyInclusion(Hash32.FromHex(now.LeafHash), now.Index, now.TreeSize, now.Proof.Select(Hash32.FromHex).ToArray(),
            Hash32.FromHex(now.RootHash)).ShouldBeTrue();
        var consistency = await S.Admin.GetJsonAsync<ConsistencyProofResponse>(
            $"{Ledger}/proofs/consistency?from={before.TreeSize}&to={now.TreeSize}");
        consistency.FromRoot.ShouldBe(before.RootHash);
        MerkleMath.VerifyConsistency(before.TreeSize, now.TreeSize, Hash32.FromHex(before.RootHash), Hash32.FromHex(now.RootHash),
            consistency.Proof.Select(Hash32.FromHex).ToArray()).ShouldBeTrue();

        // Releasing the hold is an action: the held change's twelve months start again.
        var released = await auditor.Http.DeleteAsync($"/api/v1/changes/{held.Number}/legal-hold", Ct);
        released.StatusCode.ShouldBe(HttpStatusCode.OK, await released.Content.ReadAsStringAsync(Ct));
        (await PurgeAsync()).Purged.ShouldBeEmpty();
        App.Time.Advance(TimeSpan.FromDays(367));
        (await PurgeAsync()).Purged.ShouldBe([held.Number, recent.Number], ignoreOrder: true);
    }

    private async Task<ChangeResponse> CancelledAsync(Person requestor, string service)
    {
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        return await requestor.ActAsync(draft.Number, "cancel", new NotesRequest(null, "not needed"));
    }

    private async Task<PurgeReport> PurgeAsync() =>
        (await App.Services.GetRequiredService<RetentionSchedule>().RunOnceAsync(Ct)).ShouldNotBeNull();

    /// <summary>An inclusion proof against a checkpoint signed now: its size and root come with it.</summary>
    private async Task<InclusionProofResponse> CheckpointProofAsync(long index)
    {
        await App.SignCheckpointAsync();
        return await S.Admin.GetJsonAsync<InclusionProofResponse>($"{Ledger}/proofs/inclusion?index={index}");
    }

    private async Task<List<LedgerEntryDto>> EntriesAsync()
    {
        var all = new List<LedgerEntryDto>();
        while (true)
        {
            var page = await S.Admin.GetJsonAsync<LedgerEntriesResponse>($"{Ledger}/entries?from={all.Count}&count=10000");
            all.AddRange(page.Entries);
            if (page.Entries.Count == 0 || all.Count >= page.TreeSize)
                return all;
        }
    }

    private async Task<ApiClient> AuditorAsync()
    {
        var person = await S.PersonAsync(Role.Auditor);
        return App.As(await S.OwnTokenAsync(person, [Scopes.ChangesRead, Scopes.ChangesWrite, Scopes.LedgerRead]));
    }

    private static Task<RetentionResponse> ReadAsync(HttpResponseMessage response) => ApiClient.ReadAsync<RetentionResponse>(response);
}

public sealed class RetentionTests_Sqlite(SqliteApp app) : RetentionTests(app), IClassFixture<SqliteApp>;

public sealed class RetentionTests_Postgres(PostgresApp app) : RetentionTests(app), IClassFixture<PostgresApp>;
