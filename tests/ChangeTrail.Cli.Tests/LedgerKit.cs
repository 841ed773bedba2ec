using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// Base of the CLI tests that run once on SQLite and once on PostgreSQL (the *_Sqlite and *_Postgres classes):
/// PostgreSQL tests skip without CHANGETRAIL_TEST_POSTGRES, and fail under CI=true. Each test gets a folder of its own
/// for bundles and the ledger state file.
/// </summary>
public abstract class ProviderCliTests : IDisposable
{
    protected ProviderCliTests(TestProvider provider)
    {
        if (provider == TestProvider.Postgres)
            TestDatabases.RequirePostgres();
        Provider = provider;
    }

    protected TestProvider Provider { get; }

    protected string Folder { get; } = Directory.CreateTempSubdirectory("changetrail-cli-").FullName;

    protected string StateFile => Path.Combine(Folder, "ledger-state.json");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        GC.SuppressFinalize(this);
    }
}

/// <summary>What the ledger tests do to a server and with its answers.</summary>
public static class LedgerKit
{
    /// <summary>A server of the caller's own on <paramref name="provider"/>, started and set up: for tampering with its database.</summary>
    public static async Task<ChangeTrailApp> StartAsync(TestProvider provider)
    {
        ChangeTrailApp server = provider == TestProvider.Postgres ? new PostgresApp() : new SqliteApp();
        await server.InitializeAsync();
        return server;
    }

    /// <summary>Some recorded actions: a person, a service, and a change request drafted and submitted. Returns the change's id.</summary>
    public static async Task<Guid> ActivityAsync(ChangeTrailApp server)
    {
        var scenario = new Scenario(server);
        var requestor = await scenario.PersonAsync(Role.Requestor);
        var service = await scenario.ServiceAsync();
        var change = await requestor.Client.PostJsonAsync<ChangeResponse>("/api/v1/changes", scenario.CompleteChange(service));
        (await requestor.Client.PostAsync($"/api/v1/changes/{change.Id}/submit")).EnsureSuccessStatusCode();
        return change.Id;
    }

    /// <summary>The server's current verifier key, as an auditor would have been given it.</summary>
    public static async Task<string> PublicKeyAsync(ChangeTrailApp server) =>
        (await server.Anonymous().Http.GetStringAsync("/api/v1/ledger/public-key", TestContext.Current.CancellationToken)).Split('\n')[0];

    /// <summary>The latest checkpoint, signed first when the log grew.</summary>
    public static async Task<Checkpoint> CheckpointAsync(ChangeTrailApp server) =>
        BodyOf(await server.SignCheckpointAsync());

    /// <summary>The checkpoint in a signed note, read without checking the signature (the CLI's job).</summary>
    public static Checkpoint BodyOf(string note) => Checkpoint.Parse(note[..(note.LastIndexOf("\n\n", StringComparison.Ordinal) + 1)]).Value!;

    public static string Hex(Checkpoint checkpoint) => Convert.ToHexStringLower(checkpoint.RootHash);

    /// <summary>Every entry the server serves now (up to its head), in index order.</summary>
    public static async Task<List<LedgerEntryDto>> EntriesAsync(ChangeTrailApp server)
    {
        var entries = new List<LedgerEntryDto>();
        for (long from = 0; ;)
        {
            var page = await server.AsAdmin().GetJsonAsync<LedgerEntriesResponse>($"/api/v1/ledger/entries?from={from}&count=10000");
            entries.AddRange(page.Entries);
            from += 10_000;
            if (from >= page.TreeSize)
                return entries;
        }
    }

    /// <summary>The root of the leaf hashes of <paramref name="entries"/>, as the verifier computes it.</summary>
    public static string RootOf(IEnumerable<string> leafHashes)
    {
        var range = new CompactRange();
        foreach (var leaf in leafHashes)
            range.Append(Hash32.FromHex(leaf));
        return range.RootHash().ToHex();
    }

    /// <summary>Downloads the export with <c>changetrail export</c> (GET /api/v1/export) into <paramref name="folder"/>; returns its path.</summary>
    public static async Task<string> ExportAsync(ChangeTrailApp server, string folder, string? token = null)
    {
        var path = Path.Combine(folder, $"export-{Guid.NewGuid():N}.zip");
        var result = await new CliRunner(server.Server.CreateHandler()).RunAsync(token ?? server.AdminToken, "export", "--out", path);
        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        File.Exists(path).ShouldBeTrue();
        return path;
    }

    /// <summary>The CLI with no server at all: no handler, an address nothing answers on, no token.</summary>
    public static async Task<CliResult> RunOfflineAsync(params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["CHANGETRAIL_URL"] = "http://bogus.invalid:1" };
        using var stdout = new StringWriter(new StringBuilder());
        using var stderr = new StringWriter(new StringBuilder());
        var exitCode = await CliApp.RunAsync(args, stdout, stderr, environment, handler: null, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>An export bundle's ledger files, read into objects a test can alter and write back (docs/cli.md, "Bundle format").</summary>
public sealed record Bundle(string SignedNote, string PublicKeys, List<JsonObject> Entries, List<JsonObject> Records)
{
    public Checkpoint Checkpoint => LedgerKit.BodyOf(SignedNote);

    public string PublicKey => PublicKeys.Split('\n')[0];

    /// <summary>Reads the bundle at <paramref name="path"/>, as <c>changetrail export</c> wrote it.</summary>
    public static Bundle Read(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return new Bundle(Text(zip, "checkpoint.txt"), Text(zip, "public-key.txt"), Lines(zip, "entries.jsonl"), Lines(zip, "records.jsonl"));
    }

    /// <summary>The text of one file of a ZIP.</summary>
    public static string Text(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static List<JsonObject> Lines(ZipArchive zip, string name) =>
        [.. Text(zip, name).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject())];

    /// <summary>Writes the ZIP into <paramref name="folder"/> and returns its path.</summary>
    public string Write(string folder)
    {
        var path = Path.Combine(folder, $"bundle-{Guid.NewGuid():N}.zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, "checkpoint.txt", SignedNote);
        Add(zip, "public-key.txt", PublicKeys);
        Add(zip, "entries.jsonl", string.Concat(Entries.Select(e => e.ToJsonString() + "\n")));
        Add(zip, "records.jsonl", string.Concat(Records.Select(r => r.ToJsonString() + "\n")));
        return path;
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.Write(text);
    }
}
