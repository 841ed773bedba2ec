using System.Net;
using System.Text.Json.Nodes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Cli.Tests.LedgerKit;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// <c>changetrail export</c> against the real server, once on each database: the file it writes verifies offline, it
/// never replaces a file without <c>--force</c>, and a download that fails leaves nothing behind.
/// </summary>
public abstract class ExportCommandTests(ChangeTrailApp app) : ProviderCliTests(app.Provider)
{
    [Fact]
    public async Task The_exported_file_verifies_offline_with_the_servers_key()
    {
        await ActivityAsync(app);
        var path = Path.Combine(Folder, "evidence.zip");
        var cli = new CliRunner(app.Server.CreateHandler());

        var export = await cli.RunAsync(app.AdminToken, "export", "--from", "2026-01-01", "--to", "2026-12-31", "--out", path);

        export.ExitCode.ShouldBe(ExitCodes.Success, export.ToString());
        export.Error.ShouldBeEmpty();
        var bundle = Bundle.Read(path);
        var checkpoint = bundle.Checkpoint;
        export.Out.ShouldBe($"Exported the ledger (size {checkpoint.TreeSize}, root {Hex(checkpoint)}, origin {checkpoint.Origin}) and " +
            $"{bundle.Records.Count} records to {path}.\n");
        Directory.GetFiles(Folder).ShouldBe([path], "no partial download is left beside it");

        var verify = await RunOfflineAsync("ledger", "verify", "--bundle", path, "--public-key", await PublicKeyAsync(app), "--state-file", StateFile);

        verify.ExitCode.ShouldBe(ExitCodes.Success, verify.ToString());
        verify.Error.ShouldBeEmpty();
        verify.Out.ShouldStartWith($"Ledger verified: size {checkpoint.TreeSize}, root {Hex(checkpoint)}, origin {checkpoint.Origin}; " +
            $"{checkpoint.TreeSize} entries and {bundle.Records.Count} records checked");
    }

    [Fact]
    public async Task With_json_the_manifest_is_printed()
    {
        var path = Path.Combine(Folder, "evidence.zip");

        var result = await new CliRunner(app.Server.CreateHandler()).RunAsync(app.AdminToken, "--json", "export", "--out", path, "--to", "2026-06-30");

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        var manifest = JsonNode.Parse(result.Out)!;
        manifest["format"]!.GetValue<string>().ShouldBe("changetrail-export/1");
        manifest["treeSize"]!.GetValue<long>().ShouldBe(Bundle.Read(path).Checkpoint.TreeSize);
        manifest["entries"]!.GetValue<long>().ShouldBe(manifest["treeSize"]!.GetValue<long>());
        manifest["from"].ShouldBeNull();
        manifest["to"]!.GetValue<string>().ShouldBe("2026-06-30");
    }

    [Fact]
    public async Task An_existing_file_is_replaced_only_with_force()
    {
        var path = Path.Combine(Folder, "evidence.zip");
        await File.WriteAllTextAsync(path, "an earlier export", Ct);
        var cli = new CliRunner(app.Server.CreateHandler());

        var refused = await cli.RunAsync(app.AdminToken, "export", "--out", path);

        refused.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, refused.ToString());
        refused.Error.ShouldBe($"error: {path} exists; pass --force to replace it.\n");
        cli.Requests.ShouldBe(0);
        (await File.ReadAllTextAsync(path, Ct)).ShouldBe("an earlier export");

        var forced = await cli.RunAsync(app.AdminToken, "export", "--out", path, "--force");

        forced.ExitCode.ShouldBe(ExitCodes.Success, forced.ToString());
        Bundle.Read(path).Entries.ShouldNotBeEmpty();
        Directory.GetFiles(Folder).ShouldBe([path]);
    }

    [Fact]
    public async Task A_refused_export_writes_nothing_and_exits_1_or_2_as_the_contract_says()
    {
        var requestor = await new Scenario(app).PersonAsync(Role.Requestor);
        var path = Path.Combine(Folder, "evidence.zip");
        var cli = new CliRunner(app.Server.CreateHandler());

        var forbidden = await cli.RunAsync(requestor.Token, "export", "--out", path);
        forbidden.ExitCode.ShouldBe(ExitCodes.Denied, forbidden.ToString());
        forbidden.Error.ShouldContain("[scope-required]");

        var backwards = await cli.RunAsync(app.AdminToken, "export", "--out", path, "--from", "2026-02-01", "--to", "2026-01-31");
        backwards.ExitCode.ShouldBe(ExitCodes.Denied, backwards.ToString());
        backwards.Error.ShouldContain("[validation-failed]");
        backwards.Error.ShouldContain("\n  from: After 'to' (2026-01-31)");

        var unreadable = await cli.RunAsync(app.AdminToken, "export", "--out", path, "--from", "1 January");
        unreadable.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, unreadable.ToString());
        unreadable.Error.ShouldContain("[malformed-request]");
        unreadable.Error.ShouldContain("\n  from: Not a date");

        var unknownToken = await cli.RunAsync("ctp_not-a-token", "export", "--out", path);
        unknownToken.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, unknownToken.ToString());

        Directory.GetFiles(Folder).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_download_cut_off_or_not_a_bundle_leaves_nothing_behind()
    {
        var path = Path.Combine(Folder, "evidence.zip");

        var cut = await new CliRunner(new CannedServer(() => new StreamContent(new BrokenStream()))).RunAsync("ctp_x", "export", "--out", path);
        cut.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, cut.ToString());
        cut.Error.ShouldStartWith($"error: the export could not be downloaded to {path}: ");

        var html = await new CliRunner(new CannedServer(() => new StringContent("<html>a login page</html>"))).RunAsync("ctp_x", "export", "--out", path);
        html.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, html.ToString());
        html.Error.ShouldStartWith("error: the server's answer is not a ChangeTrail export: ");

        Directory.GetFiles(Folder).ShouldBeEmpty();
    }

    [Fact]
    public async Task Usage_problems_exit_2_without_asking_the_server()
    {
        var cli = new CliRunner(new UnusedServer());

        var noOut = await cli.RunAsync("ctp_unused", "export");
        noOut.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, noOut.ToString());
        noOut.Error.ShouldContain("--out");

        var noFolder = Path.Combine(Folder, "missing", "evidence.zip");
        var missing = await cli.RunAsync("ctp_unused", "export", "--out", noFolder);
        missing.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, missing.ToString());
        missing.Error.ShouldBe($"error: the folder {Path.GetDirectoryName(noFolder)} does not exist.\n");

        var folder = await cli.RunAsync("ctp_unused", "export", "--out", Folder);
        folder.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, folder.ToString());

        cli.Requests.ShouldBe(0);
    }

    /// <summary>Answers every request with 200 and the given body.</summary>
    private sealed class CannedServer(Func<HttpContent> body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = body(), RequestMessage = request });
    }

    /// <summary>A body that breaks off after a few bytes, as a dropped connection does.</summary>
    private sealed class BrokenStream : Stream
    {
        private int _reads;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_reads++ > 0)
                throw new IOException("The connection was reset.");
            buffer[offset] = (byte)'P';
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

public sealed class ExportCommandTests_Sqlite(SqliteApp app) : ExportCommandTests(app), IClassFixture<SqliteApp>;

public sealed class ExportCommandTests_Postgres(PostgresApp app) : ExportCommandTests(app), IClassFixture<PostgresApp>;
