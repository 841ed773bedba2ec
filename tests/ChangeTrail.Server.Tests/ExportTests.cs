using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Export;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// GET /api/v1/export: a ZIP that holds a freshly signed checkpoint, the verifier keys, every entry that checkpoint signs
/// and every current record, each line byte for byte what the ledger API serves, and a manifest saying what it holds.
/// </summary>
public abstract class ExportTests(ChangeTrailApp app) : ProviderTests(app)
{
    private static readonly string[] Files =
        [ExportBundle.ManifestFile, ExportBundle.CheckpointFile, ExportBundle.PublicKeyFile, ExportBundle.EntriesFile, ExportBundle.RecordsFile];

    [Fact]
    public async Task The_export_holds_a_fresh_checkpoint_and_the_entries_and_records_exactly_as_the_api_serves_them()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);
        var auditor = await ReaderAsync(Role.Auditor);
        var head = await HeadSizeAsync();
        ((await LatestCheckpointAsync())?.TreeSize ?? 0).ShouldBeLessThan(head, "the log grew since the latest checkpoint");

        var response = await auditor.GetAsync("/api/v1/export?from=2026-01-01&to=2026-12-31");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        var disposition = response.Content.Headers.ContentDisposition!;
        disposition.DispositionType.ShouldBe("attachment");
        var now = Clock.Truncate(App.Time.GetUtcNow().UtcDateTime);
        (disposition.FileNameStar ?? disposition.FileName!.Trim('"')).ShouldBe(
            string.Create(CultureInfo.InvariantCulture, $"changetrail-export-{now:yyyyMMdd'T'HHmmss'Z'}.zip"));
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)), ZipArchiveMode.Read);
        zip.Entries.Select(e => e.FullName).ShouldBe(Files, ignoreOrder: true);

        // A checkpoint was signed for the export, over the whole log: the one served now, which the key verifies.
        var note = Text(zip, ExportBundle.CheckpointFile);
        note.ShouldBe(await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct));
        var keys = Text(zip, ExportBundle.PublicKeyFile);
        keys.ShouldBe(await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/public-key", Ct));
        var checkpoint = Open(note, keys);
        checkpoint.TreeSize.ShouldBe(head);

        var entries = Lines(zip, ExportBundle.EntriesFile);
        entries.Count.ShouldBe((int)checkpoint.TreeSize);
        entries.ShouldBe(await ServedAsync(auditor, $"/api/v1/ledger/entries?from=0&count={ListEntries.MaxCount}", "entries"));
        var records = Lines(zip, ExportBundle.RecordsFile);
        records.ShouldBe(await ServedAsync(auditor, $"/api/v1/ledger/records?count={ListRecords.MaxCount}", "records"));
        records.ShouldContain(line => line.Contains($"\"subjectId\":\"{change.Id}\"", StringComparison.Ordinal));

        using var manifest = JsonDocument.Parse(Text(zip, ExportBundle.ManifestFile));
        var root = manifest.RootElement;
        root.EnumerateObject().Select(p => p.Name).ShouldBe(
            ["format", "exportedAt", "origin", "treeSize", "rootHash", "from", "to", "entries", "records"]);
        root.GetProperty("format").GetString().ShouldBe("changetrail-export/1");
        root.GetProperty("exportedAt").GetDateTime().ToUniversalTime().ShouldBe(now);
        root.GetProperty("origin").GetString().ShouldBe(checkpoint.Origin);
        root.GetProperty("treeSize").GetInt64().ShouldBe(checkpoint.TreeSize);
        root.GetProperty("rootHash").GetString().ShouldBe(Convert.ToHexStringLower(checkpoint.RootHash));
        root.GetProperty("from").GetString().ShouldBe("2026-01-01");
        root.GetProperty("to").GetString().ShouldBe("2026-12-31");
        root.GetProperty("entries").GetInt64().ShouldBe(entries.Count);
        root.GetProperty("records").GetInt64().ShouldBe(records.Count);
    }

    [Fact]
    public async Task Without_a_period_the_whole_ledger_is_exported_all_the_same_and_from_and_to_are_null()
    {
        await ChangeFlow.SubmittedChangeAsync(S);

        var response = await S.Admin.GetAsync("/api/v1/export");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(Ct), ZipArchiveMode.Read);
        using var manifest = JsonDocument.Parse(Text(zip, ExportBundle.ManifestFile));
        manifest.RootElement.GetProperty("from").ValueKind.ShouldBe(JsonValueKind.Null);
        manifest.RootElement.GetProperty("to").ValueKind.ShouldBe(JsonValueKind.Null);
        Lines(zip, ExportBundle.EntriesFile).Count.ShouldBe((int)manifest.RootElement.GetProperty("treeSize").GetInt64());
        Lines(zip, ExportBundle.EntriesFile)[0].ShouldStartWith("{\"index\":0,");
    }

    [Fact]
    public async Task The_export_needs_the_ledger_read_scope_and_the_Auditor_or_Admin_role()
    {
        var requestorWithScope = await ReaderAsync(Role.Requestor);
        var auditorWithoutScope = (await S.PersonAsync(Role.Auditor)).Client;

        await requestorWithScope.GetAsync("/api/v1/export").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "role-required");
        await auditorWithoutScope.GetAsync("/api/v1/export").ShouldBeProblemAsync(HttpStatusCode.Forbidden, "scope-required");
        await App.Anonymous().GetAsync("/api/v1/export").ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        (await (await ReaderAsync(Role.Auditor)).GetAsync("/api/v1/export")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("from=2026-13-01", HttpStatusCode.BadRequest, "malformed-request", "from")]
    [InlineData("to=31/12/2026", HttpStatusCode.BadRequest, "malformed-request", "to")]
    [InlineData("from=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest, "malformed-request", "from")]
    [InlineData("from=yesterday&to=tomorrow", HttpStatusCode.BadRequest, "malformed-request", "from,to")]
    [InlineData("from=2026-02-01&to=2026-01-31", HttpStatusCode.UnprocessableEntity, "validation-failed", "from")]
    public async Task A_bad_period_is_a_problem_naming_the_parameter(string query, HttpStatusCode status, string type, string parameters)
    {
        var problem = await S.Admin.GetAsync($"/api/v1/export?{query}").ShouldBeProblemAsync(status, type);
        problem.Errors!.Keys.ShouldBe(parameters.Split(','), ignoreOrder: true);
    }

    [Fact]
    public async Task A_log_longer_than_a_page_of_entries_is_exported_whole_and_in_order()
    {
        // A server of its own: the others' tests compare the export with one page of the API.
        await using var own = App.Provider == TestProvider.Postgres ? (ChangeTrailApp)new PostgresApp() : new SqliteApp();
        await own.InitializeAsync();
        long size;
        await using (var scope = own.Services.CreateAsyncScope())
        {
            // Appended as the appender would, but in bulk: well-formed entries about services that come and go.
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            var start = await LedgerStore.SizeAsync(db, Ct);
            size = ListEntries.MaxCount + 7;
            var at = Clock.Truncate(DateTime.UtcNow);
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            for (var index = start; index < size; index++)
            {
                var (subject, record) = (Guid.NewGuid().ToString(), $"{{\"n\":{index}}}");
                db.LedgerEntries.Add(new Persistence.Ledger.LedgerEntry
                {
                    Index = index,
                    At = at,
                    ActorId = own.AdminId,
                    Action = "service.noted",
                    SubjectType = "Service",
                    SubjectId = subject,
                    Record = record,
                    LeafHash = LedgerLeaf.Hash(at, own.AdminId, "service.noted", "Service", subject, record).ToArray(),
                });
            }
            await db.SaveChangesAsync(Ct);
            await db.LedgerHeads.ExecuteUpdateAsync(set => set.SetProperty(h => h.Size, size), Ct);
        }

        var response = await own.AsAdmin().GetAsync("/api/v1/export");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(Ct), ZipArchiveMode.Read);
        var entries = Lines(zip, ExportBundle.EntriesFile).Select(line => JsonSerializer.Deserialize<LedgerEntryDto>(line, ApiJson.Options)!).ToList();
        entries.Select(e => e.Index).ShouldBe(Enumerable.Range(0, (int)size).Select(i => (long)i));
        var checkpoint = Open(Text(zip, ExportBundle.CheckpointFile), Text(zip, ExportBundle.PublicKeyFile));
        checkpoint.TreeSize.ShouldBe(size);
        MerkleTree.FromLeafHashes(entries.Select(e => Hash32.FromHex(e.LeafHash))).RootHash().ShouldBe(Hash32.FromBytes(checkpoint.RootHash));
    }

    /// <summary>The members of a JSON array in an API answer, each as the exact text the API wrote.</summary>
    private static async Task<List<string>> ServedAsync(ApiClient client, string path, string array)
    {
        using var served = JsonDocument.Parse(await client.Http.GetStringAsync(path, Ct));
        return [.. served.RootElement.GetProperty(array).EnumerateArray().Select(e => e.GetRawText())];
    }

    private static string Text(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The lines of a .jsonl file, each ended by \n and none by \r\n.</summary>
    private static List<string> Lines(ZipArchive zip, string name)
    {
        var text = Text(zip, name);
        text.ShouldNotContain("\r");
        if (text.Length > 0)
            text.ShouldEndWith("\n");
        return [.. text.Split('\n').SkipLast(1)];
    }

    private static Checkpoint Open(string note, string keys)
    {
        var verifiers = keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(k => NoteVerifier.Parse(k).Value!).ToList();
        var opened = CheckpointNote.Open(note, LedgerOptions.DefaultOrigin, verifiers);
        opened.IsSuccess.ShouldBeTrue(opened.Detail);
        return opened.Value.Checkpoint;
    }

    /// <summary>A client whose token has ledger:read and whose owner has <paramref name="role"/>.</summary>
    private async Task<ApiClient> ReaderAsync(Role role)
    {
        var person = await S.PersonAsync(role);
        var token = await S.Admin.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("ledger", [Scopes.LedgerRead], null));
        return App.As(token.Token);
    }

    private async Task<long> HeadSizeAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await LedgerStore.SizeAsync(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), Ct);
    }

    private async Task<Persistence.Ledger.LedgerCheckpoint?> LatestCheckpointAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await LedgerCheckpoints.FindLatestAsync(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), Ct);
    }
}

public sealed class ExportTests_Sqlite(SqliteApp app) : ExportTests(app), IClassFixture<SqliteApp>;

public sealed class ExportTests_Postgres(PostgresApp app) : ExportTests(app), IClassFixture<PostgresApp>;

/// <summary>The stream the export writes its ZIP through: the response body must never be written synchronously.</summary>
public sealed class AsyncWriteStreamTests
{
    [Fact]
    public async Task A_zip_written_through_it_never_writes_synchronously_and_arrives_whole()
    {
        var ct = TestContext.Current.CancellationToken;
        var body = new AsyncOnlyStream();
        var data = new byte[3 * AsyncWriteStream.Threshold + 123];
        new Random(42).NextBytes(data); // incompressible: the deflater's output crosses the threshold many times

        await using (var output = new AsyncWriteStream(body))
        {
            await using var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
            foreach (var name in new[] { "a.bin", "b.bin" })
            {
                await using var entry = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(ct);
                for (var offset = 0; offset < data.Length; offset += 1000)
                    await entry.WriteAsync(data.AsMemory(offset, Math.Min(1000, data.Length - offset)), ct);
            }
        }

        body.AsyncWrites.ShouldBeGreaterThan(4, "sent as it is written, not all at the end");
        using var read = new ZipArchive(new MemoryStream(body.ToArray()), ZipArchiveMode.Read);
        foreach (var name in new[] { "a.bin", "b.bin" })
        {
            using var copy = new MemoryStream();
            await using var stream = await read.GetEntry(name)!.OpenAsync(ct);
            await stream.CopyToAsync(copy, ct);
            copy.ToArray().ShouldBe(data);
        }
    }

    /// <summary>A response body as Kestrel's: synchronous writes throw.</summary>
    private sealed class AsyncOnlyStream : MemoryStream
    {
        public int AsyncWrites { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) =>
            throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            AsyncWrites++;
            base.Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
