using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The ledger's read API as an auditor uses it, trusting nothing but the published key: the signed checkpoint
/// covers exactly the served entries, every proof verifies against a signed root, and records match their entries.
/// </summary>
public abstract class LedgerApiTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string Ledger = "/api/v1/ledger";

    [Fact]
    public async Task The_checkpoint_verifies_with_the_published_key_and_its_root_is_the_root_of_the_served_entries()
    {
        await SomeActivityAsync();
        var auditor = await AuditorAsync();
        var anonymous = App.Anonymous();

        var response = await auditor.PostAsync($"{Ledger}/checkpoint");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        var checkpoint = await OpenAsync(await response.Content.ReadAsStringAsync(Ct));
        checkpoint.Origin.ShouldBe(LedgerOptions.DefaultOrigin);

        var entries = await AllEntriesAsync(auditor, pageSize: 7);
        entries.TreeSize.ShouldBe(checkpoint.TreeSize, "the checkpoint is signed afresh when the log grew");
        entries.Entries.Select(e => e.Index).ShouldBe(Enumerable.Range(0, (int)entries.TreeSize).Select(i => (long)i));
        foreach (var e in entries.Entries)
        {
            var at = DateTime.ParseExact(e.At, LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            LedgerLeaf.Hash(at, e.ActorId, e.Action, e.SubjectType, e.SubjectId, e.Record!).ToHex()
                .ShouldBe(e.LeafHash, $"entry {e.Index} rebuilds from its served fields");
        }
        var tree = MerkleTree.FromLeafHashes(entries.Entries.Select(e => Hash32.FromHex(e.LeafHash)));
        tree.RootHash().ShouldBe(Hash32.FromBytes(checkpoint.RootHash));

        (await anonymous.Http.GetStringAsync($"{Ledger}/checkpoint", Ct)).ShouldBe(await Note(checkpoint), "anyone reads the latest");
        var again = await (await auditor.PostAsync($"{Ledger}/checkpoint")).Content.ReadAsStringAsync(Ct);
        again.ShouldBe(await Note(checkpoint), "nothing was appended, so the same checkpoint is served again");
        await SomeActivityAsync();
        (await anonymous.Http.GetStringAsync($"{Ledger}/checkpoint", Ct)).ShouldBe(await Note(checkpoint),
            "reading signs nothing: the log grew, and the latest checkpoint is still the one signed before");
    }

    [Fact]
    public async Task Every_inclusion_proof_verifies_against_the_signed_root_and_fails_for_another_index()
    {
        await SomeActivityAsync();
        var checkpoint = await OpenAsync(await App.SignCheckpointAsync());
        var root = Hash32.FromBytes(checkpoint.RootHash);
        var n = checkpoint.TreeSize;
        var entries = (await AllEntriesAsync(await AuditorAsync(), pageSize: 1000)).Entries;
        var reader = await ReaderAsync(Role.Requestor); // any role may prove inclusion

        for (var i = 0L; i < n; i++)
        {
            var proof = await reader.GetJsonAsync<InclusionProofResponse>($"{Ledger}/proofs/inclusion?index={i}&treeSize={n}");
            proof.Index.ShouldBe(i);
            proof.TreeSize.ShouldBe(n);
            proof.LeafHash.ShouldBe(entries[(int)i].LeafHash);
            proof.RootHash.ShouldBe(root.ToHex());
            var path = proof.Proof.Select(Hash32.FromHex).ToArray();
            var leaf = Hash32.FromHex(proof.LeafHash);
            MerkleMath.VerifyInclusion(leaf, i, n, path, root).ShouldBeTrue($"leaf {i}");
            MerkleMath.VerifyInclusion(leaf, (i + 1) % n, n, path, root).ShouldBeFalse($"leaf {i} claimed at {(i + 1) % n}");
        }

        var byDefault = await reader.GetJsonAsync<InclusionProofResponse>($"{Ledger}/proofs/inclusion?index=0");
        byDefault.TreeSize.ShouldBe(n, "without treeSize the latest checkpoint's tree is used");
        byDefault.RootHash.ShouldBe(root.ToHex());

        var older = await reader.GetJsonAsync<InclusionProofResponse>($"{Ledger}/proofs/inclusion?index=1&treeSize=3");
        MerkleMath.VerifyInclusion(Hash32.FromHex(older.LeafHash), 1, 3, older.Proof.Select(Hash32.FromHex).ToArray(),
            MerkleTree.FromLeafHashes(entries.Take(3).Select(e => Hash32.FromHex(e.LeafHash))).RootHash()).ShouldBeTrue();
    }

    [Fact]
    public async Task A_consistency_proof_between_two_checkpoints_verifies()
    {
        await SomeActivityAsync();
        var first = await OpenAsync(await App.SignCheckpointAsync());
        await SomeActivityAsync();
        var second = await OpenAsync(await App.SignCheckpointAsync());
        second.TreeSize.ShouldBeGreaterThan(first.TreeSize);
        var reader = await ReaderAsync(Role.Requestor);

        var proof = await reader.GetJsonAsync<ConsistencyProofResponse>($"{Ledger}/proofs/consistency?from={first.TreeSize}&to={second.TreeSize}");
        proof.FromRoot.ShouldBe(Hash32.FromBytes(first.RootHash).ToHex());
        proof.ToRoot.ShouldBe(Hash32.FromBytes(second.RootHash).ToHex());
        MerkleMath.VerifyConsistency(first.TreeSize, second.TreeSize, Hash32.FromBytes(first.RootHash), Hash32.FromBytes(second.RootHash),
            proof.Proof.Select(Hash32.FromHex).ToArray()).ShouldBeTrue();
        MerkleMath.VerifyConsistency(first.TreeSize - 1, second.TreeSize, Hash32.FromBytes(first.RootHash), Hash32.FromBytes(second.RootHash),
            proof.Proof.Select(Hash32.FromHex).ToArray()).ShouldBeFalse("the proof is for the first checkpoint's size only");

        var toLatest = await reader.GetJsonAsync<ConsistencyProofResponse>($"{Ledger}/proofs/consistency?from={first.TreeSize}");
        toLatest.To.ShouldBe(second.TreeSize, "without to the latest checkpoint's size is used");
        var fromEmpty = await reader.GetJsonAsync<ConsistencyProofResponse>($"{Ledger}/proofs/consistency?from=0&to={second.TreeSize}");
        fromEmpty.Proof.ShouldBeEmpty();
        fromEmpty.FromRoot.ShouldBe(MerkleHash.Empty.ToHex());
        var same = await reader.GetJsonAsync<ConsistencyProofResponse>($"{Ledger}/proofs/consistency?from={second.TreeSize}&to={second.TreeSize}");
        same.Proof.ShouldBeEmpty();
        same.FromRoot.ShouldBe(same.ToRoot);
    }

    [Theory]
    [InlineData("entries?from=abc", HttpStatusCode.BadRequest, "malformed-request", "from")]
    [InlineData("entries?count=ten", HttpStatusCode.BadRequest, "malformed-request", "count")]
    [InlineData("entries?from=-1", HttpStatusCode.UnprocessableEntity, "validation-failed", "from")]
    [InlineData("entries?from=99999999", HttpStatusCode.UnprocessableEntity, "validation-failed", "from")]
    [InlineData("entries?count=0", HttpStatusCode.UnprocessableEntity, "validation-failed", "count")]
    [InlineData("entries?count=10001", HttpStatusCode.UnprocessableEntity, "validation-failed", "count")]
    [InlineData("proofs/inclusion?index=1.5", HttpStatusCode.BadRequest, "malformed-request", "index")]
    [InlineData("proofs/inclusion", HttpStatusCode.UnprocessableEntity, "validation-failed", "index")]
    [InlineData("proofs/inclusion?index=-1&treeSize=2", HttpStatusCode.UnprocessableEntity, "validation-failed", "index")]
    [InlineData("proofs/inclusion?index=2&treeSize=2", HttpStatusCode.UnprocessableEntity, "validation-failed", "index")]
    [InlineData("proofs/inclusion?index=0&treeSize=0", HttpStatusCode.UnprocessableEntity, "validation-failed", "treeSize")]
    [InlineData("proofs/inclusion?index=0&treeSize=99999999", HttpStatusCode.UnprocessableEntity, "validation-failed", "treeSize")]
    [InlineData("proofs/consistency?from=x&to=2", HttpStatusCode.BadRequest, "malformed-request", "from")]
    [InlineData("proofs/consistency?to=2", HttpStatusCode.UnprocessableEntity, "validation-failed", "from")]
    [InlineData("proofs/consistency?from=3&to=2", HttpStatusCode.UnprocessableEntity, "validation-failed", "from")]
    [InlineData("proofs/consistency?from=1&to=99999999", HttpStatusCode.UnprocessableEntity, "validation-failed", "to")]
    [InlineData("records?count=5001", HttpStatusCode.UnprocessableEntity, "validation-failed", "count")]
    [InlineData("records?count=many", HttpStatusCode.BadRequest, "malformed-request", "count")]
    [InlineData("records?after=ChangeRequest:not-a-guid", HttpStatusCode.UnprocessableEntity, "validation-failed", "after")]
    public async Task A_bad_parameter_is_a_problem_naming_it(string path, HttpStatusCode status, string type, string parameter)
    {
        await SomeActivityAsync();
        var problem = await S.Admin.GetAsync($"{Ledger}/{path}").ShouldBeProblemAsync(status, type);
        problem.Errors!.Keys.ShouldBe([parameter]);
    }

    [Fact]
    public async Task Entries_and_records_need_the_ledger_read_scope_and_the_Auditor_or_Admin_role()
    {
        var auditor = await AuditorAsync();
        var requestorWithScope = await ReaderAsync(Role.Requestor);
        var auditorWithoutScope = (await S.PersonAsync(Role.Auditor)).Client;

        foreach (var path in new[] { $"{Ledger}/entries", $"{Ledger}/records" })
        {
            (await auditor.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
            (await S.Admin.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
            await requestorWithScope.GetAsync(path).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
            await auditorWithoutScope.GetAsync(path).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
            await App.Anonymous().GetAsync(path).ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        }

        await auditorWithoutScope.GetAsync($"{Ledger}/proofs/inclusion?index=0").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
        await App.Anonymous().GetAsync($"{Ledger}/proofs/consistency?from=0").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await App.Anonymous().PostAsync($"{Ledger}/checkpoint").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        await requestorWithScope.PostAsync($"{Ledger}/checkpoint").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        await auditorWithoutScope.PostAsync($"{Ledger}/checkpoint").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
        await App.SignCheckpointAsync();
        (await App.Anonymous().GetAsync($"{Ledger}/checkpoint")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await App.Anonymous().GetAsync($"{Ledger}/public-key")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_generated_signing_key_is_kept_in_the_data_folder_for_its_owner_and_read_again_after_a_restart()
    {
        var published = (await App.Anonymous().Http.GetStringAsync($"{Ledger}/public-key", Ct)).Split('\n');
        published.ShouldBe([published[0], ""], "one key, one line");

        var path = Path.Combine(App.DataDirectory, SigningKeyProvider.FileName);
        File.Exists(path).ShouldBeTrue();
        (await File.ReadAllTextAsync(path, Ct)).ShouldStartWith($"PRIVATE+KEY+{LedgerOptions.DefaultOrigin}+");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        using var restarted = new SigningKeyProvider(Options.Create(new ChangeTrailOptions { DataDirectory = App.DataDirectory }),
            NullLogger<SigningKeyProvider>.Instance);
        restarted.Verifier.VerifierKey.ShouldBe(published[0]);
    }

    [Fact]
    public async Task A_changes_ledger_lists_its_entries_with_proofs_against_the_latest_checkpoint()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);
        var checkpoint = await OpenAsync(await App.SignCheckpointAsync());

        var ledger = await requestor.Client.GetJsonAsync<ChangeLedgerResponse>($"/api/v1/changes/{change.Number}/ledger");
        ledger.TreeSize.ShouldBe(checkpoint.TreeSize);
        ledger.RootHash.ShouldBe(Hash32.FromBytes(checkpoint.RootHash).ToHex());
        ledger.Entries.Select(e => e.Action).ShouldBe(["change.created", "change.submitted", "change.approved"]);
        ledger.Entries.ShouldAllBe(e => e.SubjectId == change.Id.ToString());
        foreach (var e in ledger.Entries)
            MerkleMath.VerifyInclusion(Hash32.FromHex(e.LeafHash), e.Index, ledger.TreeSize, e.InclusionProof!.Select(Hash32.FromHex).ToArray(),
                Hash32.FromBytes(checkpoint.RootHash)).ShouldBeTrue(e.Action);

        await requestor.ActAsync(change.Number, "cancel", new NotesRequest(null, "Superseded"));
        var later = await requestor.Client.GetJsonAsync<ChangeLedgerResponse>($"/api/v1/changes/{change.Id}/ledger");
        later.TreeSize.ShouldBe(checkpoint.TreeSize, "proofs stay against the latest checkpoint until the next one");
        later.Entries[^1].Action.ShouldBe("change.cancelled");
        later.Entries[^1].InclusionProof.ShouldBeNull("the entry came after the checkpoint");
        later.Entries.SkipLast(1).ShouldAllBe(e => e.InclusionProof != null);

        await requestor.Client.GetAsync("/api/v1/changes/CR-99999999/ledger").ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        await (await ReaderAsync([Role.Auditor], Scopes.LedgerRead)).GetAsync($"/api/v1/changes/{change.Number}/ledger")
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
    }

    [Fact]
    public async Task Each_records_current_canonical_json_equals_its_latest_entry_and_a_row_edited_directly_does_not()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);
        (await S.Admin.Http.PutAsJsonAsync("/api/v1/settings/retention", new SetRetentionRequest(36), Ct)).EnsureSuccessStatusCode();
        // A held change's record carries its hold: serialised by the other branch of CanonicalRecords.Of.
        (await S.Admin.PostAsync($"/api/v1/changes/{change.Number}/legal-hold", new LegalHoldRequest("Audit sample"))).EnsureSuccessStatusCode();
        // What a pipeline reports is recorded too: evidence, a gate decision, a deployment that started and then ended.
        var pipeline = await S.ServiceAccountAsync([Scopes.Gate, Scopes.DeploymentsWrite, Scopes.EvidenceWrite], Role.Implementer);
        var (service, commit) = (change.Services[0].Name, change.Commits[0].Sha);
        (await pipeline.Client.PostFileAsync("/api/v1/evidence", new Dictionary<string, string> { ["change"] = change.Number, ["commit"] = commit, ["kind"] = "unit" },
            "unit.xml", "<testsuite><testcase name=\"t\"/></testsuite>"u8.ToArray())).EnsureSuccessStatusCode();
        (await pipeline.Client.PostAsync("/api/v1/gate", new GateRequest(change.Number, null, service, "staging", commit, null))).EnsureSuccessStatusCode();
        foreach (var status in new[] { DeploymentStatus.Started, DeploymentStatus.Succeeded })
            (await pipeline.Client.PostAsync("/api/v1/deployments", new DeploymentRequest(change.Number, service, "staging", commit, null, status, null, null, null)))
                .EnsureSuccessStatusCode();
        // A freeze window an admin defined, of a service of its own, a year ahead.
        var freezeStart = App.Time.GetUtcNow().UtcDateTime.Date.AddYears(1);
        (await S.Admin.PostAsync("/api/v1/freeze-windows", new CreateFreezeWindowRequest("Ledger", freezeStart, freezeStart.AddDays(1),
            [await S.ServiceAsync()], null))).EnsureSuccessStatusCode();
        // A policy exception with both sign-offs, cited by a change whose production question it then lifts reasons of.
        var requestor = await S.PersonAsync(Role.Requestor);
        var exception = await ApiClient.ReadAsync<PolicyExceptionResponse>(await requestor.Client.PostAsync("/api/v1/exceptions",
            new PolicyExceptionRequest("Ledger", "automated-tests", "d", "r", "c", App.Time.GetUtcNow().UtcDateTime.AddDays(30))));
        foreach (var role in new[] { Role.HeadOfEngineering, Role.SecurityOfficer })
            (await (await S.PersonAsync(role)).Client.PostAsync($"/api/v1/exceptions/{exception.Number}/approvals",
                new DecisionRequest(ApprovalDecision.Approve, "ok"))).EnsureSuccessStatusCode();
        var citing = await requestor.CreateAsync(S.CompleteChange(service) with { Exceptions = [exception.Number] });
        var lifted = await ApiClient.ReadAsync<GateResponse>(await pipeline.Client.PostAsync("/api/v1/gate",
            new GateRequest(citing.Number, null, service, "production", commit, null)));
        lifted.Waived.ShouldNotBeEmpty();
        // A Standard template, published: its decisions are serialised by round.
        var template = await ApiClient.ReadAsync<TemplateResponse>(await requestor.Client.PostAsync("/api/v1/templates", new TemplateRequest(
            $"ledger-{Scenario.Unique()}", "Ledger", null, [service], ["staging"], "p", "s", "i", "r", "t", Scenario.LowRiskAnswers)));
        (await requestor.Client.PostAsync($"/api/v1/templates/{template.Name}/submit", new { })).EnsureSuccessStatusCode();
        (await approver.Client.PostAsync($"/api/v1/templates/{template.Name}/approvals", new DecisionRequest(ApprovalDecision.Approve, "ok")))
            .EnsureSuccessStatusCode();
        // A version of the policy put in force, and a review of it.
        var version = await S.Admin.PostJsonAsync<PolicyVersionResponse>("/api/v1/policy/versions", new ProposePolicyVersionRequest("# Policy", "First."));
        var officer = await S.PersonAsync(Role.SecurityOfficer);
        foreach (var owner in new[] { await S.PersonAsync(Role.HeadOfEngineering), officer })
            (await owner.Client.PostAsync($"/api/v1/policy/versions/{version.Number}/approvals", new DecisionRequest(ApprovalDecision.Approve, null)))
                .EnsureSuccessStatusCode();
        (await officer.Client.PostAsync("/api/v1/policy/reviews", new PolicyReviewRequest(Domain.PolicyDocuments.PolicyReviewOutcome.Unchanged, "ok")))
            .EnsureSuccessStatusCode();
        var auditor = await AuditorAsync();

        var records = await AllRecordsAsync(auditor, pageSize: 3);
        records.Select(r => (r.SubjectType, r.SubjectId)).ShouldBeUnique();
        records.Select(r => r.SubjectType).Distinct().ShouldBe(LedgerSubjects.All.Where(s => s.HasCurrentRecords).Select(s => s.Type), ignoreOrder: true);
        records.ShouldContain(r => r.SubjectType == LedgerSubjects.ChangeRequest.Type && r.SubjectId == change.Id.ToString());
        records.ShouldContain(r => r.SubjectType == LedgerSubjects.User.Type && r.SubjectId == approver.Id.ToString());

        var latest = (await AllEntriesAsync(auditor, pageSize: 10_000)).Entries
            .GroupBy(e => (e.SubjectType, e.SubjectId)).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Index)!.Record);
        foreach (var record in records)
            record.Record.ShouldBe(latest[(record.SubjectType, record.SubjectId)], $"{record.SubjectType} {record.SubjectId}");

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            await db.ChangeRequests.Where(c => c.Id == change.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Title, "Quietly renamed"), Ct);
        }
        var edited = (await AllRecordsAsync(auditor, pageSize: 5000)).Single(r => r.SubjectId == change.Id.ToString());
        edited.Record.ShouldContain("Quietly renamed");
        edited.Record.ShouldNotBe(latest[(LedgerSubjects.ChangeRequest.Type, change.Id.ToString())]);
    }

    [Fact]
    public async Task Checkpoints_are_signed_on_a_schedule_when_the_log_grew()
    {
        // The shared test server runs without the schedule (a year's jump of the fake clock would tick it 500,000 times).
        await using var scheduled = new ScheduledCheckpointsApp(App.Provider);
        await scheduled.InitializeAsync();
        await scheduled.AsAdmin().PostJsonAsync<CreatedResponse>("/api/v1/services", new CreateServiceRequest(
            $"svc-{Scenario.Unique()}", null, false, false, [new EnvironmentDto("production", true)]));
        var schedule = scheduled.Services.GetServices<IHostedService>().OfType<CheckpointSchedule>().Single();
        await using var scope = scheduled.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var size = await LedgerStore.SizeAsync(db, Ct);

        scheduled.Time.Advance(TimeSpan.FromMinutes(1));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await LedgerCheckpoints.FindLatestAsync(db, Ct))?.TreeSize != size)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the schedule signs a checkpoint of the grown log within a tick");
            await Task.Delay(50, Ct);
        }
        (await schedule.RunOnceAsync(Ct)).ShouldBeNull("the log did not grow since");
    }

    private sealed class ScheduledCheckpointsApp(TestProvider provider) : ChangeTrailApp(provider)
    {
        protected override void ConfigureTestServices(IWebHostBuilder builder) =>
            builder.UseSetting("ChangeTrail:Ledger:CheckpointInterval", "00:01:00");
    }

    [Fact]
    public async Task Racing_requests_for_a_checkpoint_agree_on_one()
    {
        await SomeActivityAsync();
        var notes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => App.SignCheckpointAsync()));
        notes.Distinct().Count().ShouldBe(1);
        var size = (await OpenAsync(notes[0])).TreeSize;
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        (await db.LedgerCheckpoints.CountAsync(c => c.TreeSize == size, Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task On_PostgreSQL_an_instance_holding_the_advisory_lock_keeps_the_others_from_signing()
    {
        if (App.Provider != TestProvider.Postgres)
            Assert.Skip("The advisory lock is PostgreSQL's; SQLite serves one instance.");
        await SomeActivityAsync();
        var schedule = App.Services.GetServices<IHostedService>().OfType<CheckpointSchedule>().Single();
        string connectionString;
        await using (var scope = App.Services.CreateAsyncScope())
            connectionString = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().Database.GetConnectionString()!;

        await using (var other = new NpgsqlConnection(connectionString))
        {
            await other.OpenAsync(Ct);
            await using var transaction = await other.BeginTransactionAsync(Ct);
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({CheckpointSchedule.AdvisoryLockKey})", other, transaction);
            await command.ExecuteNonQueryAsync(Ct);
            (await schedule.RunOnceAsync(Ct)).ShouldBeNull("another instance holds the lock");
        }
        (await schedule.RunOnceAsync(Ct))!.TreeSize.ShouldBe(await HeadSizeAsync());
    }

    /// <summary>A service, a person and a change: a few more entries.</summary>
    private async Task SomeActivityAsync()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
    }

    /// <summary>A client whose token has ledger:read (and changes:read) and whose owner has <paramref name="roles"/>.</summary>
    private Task<ApiClient> ReaderAsync(params Role[] roles) => ReaderAsync(roles, Scopes.LedgerRead, Scopes.ChangesRead);

    private async Task<ApiClient> ReaderAsync(Role[] roles, params string[] scopes)
    {
        var person = await S.PersonAsync(roles);
        var token = await S.Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("ledger", scopes, null));
        return App.As(token.Token);
    }

    private Task<ApiClient> AuditorAsync() => ReaderAsync(Role.Auditor);

    private async Task<Checkpoint> OpenAsync(string note)
    {
        var keys = (await App.Anonymous().Http.GetStringAsync($"{Ledger}/public-key", Ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(k => NoteVerifier.Parse(k).Value!).ToList();
        var opened = CheckpointNote.Open(note, LedgerOptions.DefaultOrigin, keys);
        opened.IsSuccess.ShouldBeTrue(opened.Detail);
        return opened.Value.Checkpoint;
    }

    private async Task<string> Note(Checkpoint checkpoint)
    {
        var row = await LatestCheckpointAsync();
        row!.TreeSize.ShouldBe(checkpoint.TreeSize);
        return row.Note;
    }

    private static async Task<LedgerEntriesResponse> AllEntriesAsync(ApiClient client, int pageSize)
    {
        var entries = new List<LedgerEntryDto>();
        long? size = null;
        while (size is null || entries.Count < size)
        {
            var page = await client.GetJsonAsync<LedgerEntriesResponse>($"{Ledger}/entries?from={entries.Count}&count={pageSize}");
            size ??= page.TreeSize;
            page.Entries.ShouldNotBeEmpty();
            entries.AddRange(page.Entries.Where(e => e.Index < size));
        }
        return new LedgerEntriesResponse(size.Value, entries);
    }

    private static async Task<List<LedgerRecordDto>> AllRecordsAsync(ApiClient client, int pageSize)
    {
        var records = new List<LedgerRecordDto>();
        string? after = null;
        do
        {
            var page = await client.GetJsonAsync<LedgerRecordsResponse>(
                $"{Ledger}/records?count={pageSize}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}"));
            page.Records.Count.ShouldBeLessThanOrEqualTo(pageSize);
            records.AddRange(page.Records);
            after = page.Next;
        }
        while (after is not null);
        return records;
    }

    private async Task<long> HeadSizeAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await LedgerStore.SizeAsync(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), Ct);
    }

    private async Task<LedgerCheckpoint?> LatestCheckpointAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await LedgerCheckpoints.FindLatestAsync(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), Ct);
    }
}

public sealed class LedgerApiTests_Sqlite(SqliteApp app) : LedgerApiTests(app), IClassFixture<SqliteApp>;

public sealed class LedgerApiTests_Postgres(PostgresApp app) : LedgerApiTests(app), IClassFixture<PostgresApp>;

/// <summary>The signing key from configuration, for installs of several instances; and the settings that are refused.</summary>
public sealed class LedgerApiKeyTests : IAsyncLifetime
{
    private const string Origin = "audit.example.test/ledger";
    private static readonly NoteSigner Configured = NoteSigner.Generate(Origin);
    private static readonly NoteSigner Retired = NoteSigner.Generate(Origin);
    private readonly ConfiguredKeyApp _app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task A_configured_signing_key_is_used_instead_of_a_generated_one_and_previous_keys_are_published()
    {
        var published = (await _app.Anonymous().Http.GetStringAsync("/api/v1/ledger/public-key", Ct)).Split('\n');
        published.ShouldBe([Configured.Verifier.VerifierKey, Retired.Verifier.VerifierKey, ""]);
        File.Exists(Path.Combine(_app.DataDirectory, SigningKeyProvider.FileName)).ShouldBeFalse();

        var note = await _app.SignCheckpointAsync();
        var opened = CheckpointNote.Open(note, Origin, Configured.Verifier);
        opened.IsSuccess.ShouldBeTrue(opened.Detail);
        opened.Value.Checkpoint.TreeSize.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_key_file_is_read_and_a_bad_key_or_origin_stops_the_start()
    {
        var file = Path.Combine(_app.DataDirectory, "mounted-key");
        File.WriteAllText(file, Configured.ExportSignerKey() + "\n");
        using (var fromFile = Provider(new LedgerOptions { SigningKeyFile = file }))
        {
            fromFile.Verifier.VerifierKey.ShouldBe(Configured.Verifier.VerifierKey);
            fromFile.Origin.ShouldBe(Origin, "the origin defaults to the configured key's name");
        }

        Should.Throw<InvalidOperationException>(() => Provider(new LedgerOptions { Origin = "has space" })).Message.ShouldContain("Origin");
        Should.Throw<InvalidOperationException>(() => Provider(new LedgerOptions { Origin = "a+b" })).Message.ShouldContain("Origin");
        Should.Throw<InvalidOperationException>(() => Provider(new LedgerOptions { SigningKey = Configured.ExportSignerKey(), Origin = "other/log" }))
            .Message.ShouldContain("is named");
        Should.Throw<InvalidOperationException>(() => Provider(new LedgerOptions { SigningKey = "PRIVATE+KEY+nonsense" }))
            .Message.ShouldContain("not a signer key");
        Should.Throw<InvalidOperationException>(() => Provider(new LedgerOptions { SigningKeyFile = file + ".missing" }));
        Should.Throw<InvalidOperationException>(() => Provider(new LedgerOptions
        {
            SigningKey = Configured.ExportSignerKey(),
            PreviousVerifierKeys = ["not a key"],
        })).Message.ShouldContain("PreviousVerifierKeys:0");
    }

    private SigningKeyProvider Provider(LedgerOptions ledger) =>
        new(Options.Create(new ChangeTrailOptions { DataDirectory = _app.DataDirectory, Ledger = ledger }), NullLogger<SigningKeyProvider>.Instance);

    private sealed class ConfiguredKeyApp() : ChangeTrailApp(TestProvider.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ChangeTrail:Ledger:SigningKey", Configured.ExportSignerKey());
            builder.UseSetting("ChangeTrail:Ledger:PreviousVerifierKeys:0", Retired.Verifier.VerifierKey);
        }
    }
}
