using System.Text.Json.Nodes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Cli.Tests.LedgerKit;

namespace ChangeTrail.Cli.Tests;

/// <summary>
/// <c>ledger verify</c> against the real server, online and offline on bundles from <c>changetrail export</c>, once on
/// each database. The server is shared by the class: nothing here tampers with its database (see
/// <see cref="LedgerTamperTests"/> for that), only with the state file or with a copy of a bundle.
/// </summary>
public abstract class LedgerVerifyTests(ChangeTrailApp app) : ProviderCliTests(app.Provider)
{
    [Fact]
    public async Task A_clean_ledger_verifies_online_with_the_published_key_passed_explicitly()
    {
        await ActivityAsync(app);
        var key = await PublicKeyAsync(app);
        var cli = new CliRunner(app.Server.CreateHandler());

        var result = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Error.ShouldBeEmpty();
        var checkpoint = await CheckpointAsync(app);
        result.Out.ShouldStartWith($"Ledger verified: size {checkpoint.TreeSize}, root {Hex(checkpoint)}, origin {checkpoint.Origin}; " +
            $"{checkpoint.TreeSize} entries and ");
        result.Out.ShouldMatch(@"and \d+ records checked\.\n$");
        result.Out.ShouldNotContain("\u001b[");

        // What was verified is remembered for the next run's consistency check.
        var state = JsonNode.Parse(await File.ReadAllTextAsync(StateFile, Ct))!["logs"]!.AsArray().Single()!;
        state["source"]!.GetValue<string>().ShouldBe("http://localhost/");
        state["origin"]!.GetValue<string>().ShouldBe(checkpoint.Origin);
        state["treeSize"]!.GetValue<long>().ShouldBe(checkpoint.TreeSize);
        state["rootHash"]!.GetValue<string>().ShouldBe(Hex(checkpoint));
        state["verifierKey"]!.GetValue<string>().ShouldBe(key);
    }

    [Fact]
    public async Task Json_output_is_a_result_object_naming_what_was_checked()
    {
        await ActivityAsync(app);
        var key = await PublicKeyAsync(app);
        var cli = new CliRunner(app.Server.CreateHandler());

        var result = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--json", "--public-key", key, "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        var report = JsonNode.Parse(result.Out)!;
        report["verified"]!.GetValue<bool>().ShouldBeTrue();
        var checkpoint = await CheckpointAsync(app);
        report["treeSize"]!.GetValue<long>().ShouldBe(checkpoint.TreeSize);
        report["rootHash"]!.GetValue<string>().ShouldBe(Hex(checkpoint));
        report["entriesChecked"]!.GetValue<long>().ShouldBe(checkpoint.TreeSize);
        report["recordsChecked"]!.GetValue<long>().ShouldBeGreaterThan(0);
        report["keyTrust"]!.GetValue<string>().ShouldBe("Given");
        report["failure"].ShouldBeNull();
    }

    [Fact]
    public async Task Without_a_key_the_servers_own_is_trusted_on_first_use_with_a_warning_and_a_different_one_later_fails()
    {
        await ActivityAsync(app);
        var cli = new CliRunner(app.Server.CreateHandler());

        var first = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--state-file", StateFile);

        first.ExitCode.ShouldBe(ExitCodes.Success, first.ToString());
        first.Error.ShouldStartWith("warning: no public key given");
        first.Error.ShouldContain("only proves the log is consistent with itself");
        first.Out.ShouldStartWith("Ledger verified: ");

        // The server now publishes another key (simulated by remembering another one): trusting it silently would
        // let whoever holds the new key rewrite the log.
        var origin = (await CheckpointAsync(app)).Origin;
        using var other = NoteSigner.Generate(origin);
        await EditStateAsync(log => log["verifierKey"] = other.Verifier.VerifierKey);

        var second = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--state-file", StateFile);

        second.ExitCode.ShouldBe(ExitCodes.Denied, second.ToString());
        second.Error.ShouldContain("error: ledger verification failed: the public key changed: you verified with " + other.Verifier.VerifierKey);
        second.Error.ShouldContain("pass it with --public-key");

        // Passing the server's key explicitly is the user vouching for it.
        var third = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--state-file", StateFile, "--public-key", await PublicKeyAsync(app));
        third.ExitCode.ShouldBe(ExitCodes.Success, third.ToString());
    }

    [Fact]
    public async Task A_second_run_proves_the_new_tree_extends_the_one_verified_before()
    {
        await ActivityAsync(app);
        var key = await PublicKeyAsync(app);
        var cli = new CliRunner(app.Server.CreateHandler());
        var first = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile);
        first.ExitCode.ShouldBe(ExitCodes.Success, first.ToString());
        var before = await CheckpointAsync(app);

        await ActivityAsync(app);
        var second = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile);

        second.ExitCode.ShouldBe(ExitCodes.Success, second.ToString());
        (await CheckpointAsync(app)).TreeSize.ShouldBeGreaterThan(before.TreeSize);
        second.Out.ShouldContain($", consistent with size {before.TreeSize} verified ");
    }

    [Fact]
    public async Task A_server_now_signing_a_tree_inconsistent_with_the_one_verified_before_fails_consistency()
    {
        await ActivityAsync(app);
        var key = await PublicKeyAsync(app);
        var cli = new CliRunner(app.Server.CreateHandler());
        var first = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile);
        first.ExitCode.ShouldBe(ExitCodes.Success, first.ToString());
        var before = await CheckpointAsync(app);

        // Remembering another root for the same size is what a rewritten history looks like from the auditor's side:
        // the tree signed now does not extend the one signed then.
        await EditStateAsync(log => log["rootHash"] = new string('5', 64));
        await ActivityAsync(app);

        var result = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldContain($"error: ledger verification failed: consistency with the checkpoint of size {before.TreeSize} you verified on ");
        result.Error.ShouldContain(" fails: the proof from size ");
        result.Error.ShouldContain("the server serves a different tree than it signed before");
        result.Out.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_smaller_tree_than_the_one_verified_before_fails_consistency()
    {
        await ActivityAsync(app);
        var key = await PublicKeyAsync(app);
        var cli = new CliRunner(app.Server.CreateHandler());
        (await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile)).ExitCode.ShouldBe(0);
        await EditStateAsync(log => log["treeSize"] = 1_000_000);

        var result = await cli.RunAsync(app.AdminToken, "ledger", "verify", "--public-key", key, "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldContain("consistency with the checkpoint of size 1000000 you verified on ");
        result.Error.ShouldContain("the server now signs a smaller tree");
    }

    [Fact]
    public async Task A_bundle_from_changetrail_export_verifies_offline_with_no_server()
    {
        await ActivityAsync(app);
        var path = await ExportAsync(app, Folder);
        var bundle = Bundle.Read(path);

        var result = await RunOfflineAsync("ledger", "verify", "--bundle", path, "--public-key", await PublicKeyAsync(app),
            "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Error.ShouldBeEmpty();
        result.Out.ShouldStartWith($"Ledger verified: size {bundle.Checkpoint.TreeSize}, root {Hex(bundle.Checkpoint)}, " +
            $"origin {bundle.Checkpoint.Origin}; {bundle.Checkpoint.TreeSize} entries and {bundle.Records.Count} records checked");
    }

    [Fact]
    public async Task A_bundle_without_a_given_key_verifies_with_its_own_key_and_a_warning()
    {
        await ActivityAsync(app);

        var result = await RunOfflineAsync("ledger", "verify", "--bundle", await ExportAsync(app, Folder), "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Success, result.ToString());
        result.Error.ShouldStartWith("warning: no public key given");
        result.Error.ShouldContain("the bundle's own public-key.txt");
    }

    [Theory]
    [InlineData("edit")]
    [InlineData("delete")]
    [InlineData("insert")]
    [InlineData("insert-duplicate")]
    [InlineData("swap")]
    [InlineData("truncate")]
    [InlineData("checkpoint")]
    [InlineData("record")]
    [InlineData("record-without-entry")]
    public async Task A_tampered_bundle_fails_offline_naming_what_changed(string tampering)
    {
        await ActivityAsync(app);
        var bundle = Bundle.Read(await ExportAsync(app, Folder));
        var entries = bundle.Entries;
        var size = (int)bundle.Checkpoint.TreeSize;
        size.ShouldBeGreaterThan(6);
        string expected;
        switch (tampering)
        {
            case "edit":
                var record = JsonNode.Parse(entries[3]["record"]!.GetValue<string>())!.AsObject();
                record["tampered"] = true;
                entries[3]["record"] = record.ToJsonString();
                expected = "entry #3: leaf hash does not match its contents";
                break;
            case "delete":
                entries.RemoveAt(3);
                expected = "entry #3 missing (log jumps from 2 to 4)";
                break;
            case "insert":
                // A careful forger: a well-formed entry with its own valid leaf hash, and every later index moved up.
                entries.Insert(4, (JsonObject)entries[3].DeepClone());
                for (var i = 0; i < entries.Count; i++)
                    entries[i]["index"] = i;
                expected = $"root mismatch: the entries give {RootOfFirst(entries, size)}, the checkpoint signs {Hex(bundle.Checkpoint)}";
                break;
            case "insert-duplicate":
                entries.Insert(4, (JsonObject)entries[3].DeepClone());
                expected = "entry #3 appears twice in a row";
                break;
            case "swap":
                (entries[3], entries[4]) = (entries[4], entries[3]);
                expected = "entries out of order: #4 comes before #3";
                break;
            case "truncate":
                entries.RemoveRange(size - 2, entries.Count - (size - 2));
                expected = $"log truncated: the entries end at #{size - 3}, but the checkpoint signs {size} entries";
                break;
            case "record":
                var edited = bundle.Records.First(r => r["subjectType"]!.GetValue<string>() == "ChangeRequest");
                var (type, id) = (edited["subjectType"]!.GetValue<string>(), edited["subjectId"]!.GetValue<string>());
                edited["record"] = edited["record"]!.GetValue<string>().Replace("\"title\":\"", "\"title\":\"Edited ", StringComparison.Ordinal);
                var latest = entries.Last(e => e["subjectType"]!.GetValue<string>() == type && e["subjectId"]!.GetValue<string>() == id);
                expected = $"{type} {id} differs from its latest ledger entry #{latest["index"]}";
                break;
            case "record-without-entry":
                var stranger = Guid.NewGuid();
                bundle.Records.Add(new JsonObject { ["subjectType"] = "Service", ["subjectId"] = stranger.ToString(), ["record"] = "{}" });
                expected = $"Service {stranger} has no ledger entry";
                break;
            default:
                // One byte of the signed body: the root's first base64 digit.
                var lines = bundle.SignedNote.Split('\n');
                lines[2] = (lines[2][0] == 'A' ? "B" : "A") + lines[2][1..];
                bundle = bundle with { SignedNote = string.Join('\n', lines) };
                expected = $"checkpoint signature does not verify with key {bundle.PublicKey}";
                break;
        }

        var result = await RunOfflineAsync("ledger", "verify", "--bundle", bundle.Write(Folder), "--public-key", bundle.PublicKey,
            "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        result.Error.ShouldStartWith($"error: ledger verification failed: {expected}", customMessage: result.ToString());
        result.Out.ShouldBeEmpty();
        File.Exists(StateFile).ShouldBeFalse();
    }

    [Fact]
    public async Task A_tampered_bundle_with_json_prints_the_failure_as_a_result_object()
    {
        await ActivityAsync(app);
        var bundle = Bundle.Read(await ExportAsync(app, Folder));
        bundle.Entries.RemoveAt(3);

        var result = await RunOfflineAsync("ledger", "verify", "--json", "--bundle", bundle.Write(Folder), "--public-key", bundle.PublicKey,
            "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.Denied, result.ToString());
        var report = JsonNode.Parse(result.Out)!;
        report["verified"]!.GetValue<bool>().ShouldBeFalse();
        report["failure"]!["kind"]!.GetValue<string>().ShouldBe("entry-missing");
        report["failure"]!["entry"]!.GetValue<long>().ShouldBe(3);
    }

    [Fact]
    public async Task A_token_that_may_not_read_the_ledger_exits_2_not_1()
    {
        var requestor = await new Scenario(app).PersonAsync(Role.Requestor);
        var cli = new CliRunner(app.Server.CreateHandler());

        // Nothing was verified: a refused request must not read as a log that failed verification.
        var result = await cli.RunAsync(requestor.Token, "ledger", "verify", "--public-key", await PublicKeyAsync(app), "--state-file", StateFile);

        result.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, result.ToString());
        result.Error.ShouldStartWith("error: ");
        result.Error.ShouldNotContain("verification failed");
        File.Exists(StateFile).ShouldBeFalse();
    }

    [Fact]
    public async Task Usage_problems_exit_2()
    {
        var cli = new CliRunner(new UnusedServer());

        var badKey = await cli.RunAsync("ctp_unused", "ledger", "verify", "--public-key", "not-a-key", "--state-file", StateFile);
        badKey.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, badKey.ToString());
        badKey.Error.ShouldContain("--public-key: 'not-a-key' is not a ledger verifier key");

        var notZip = Path.Combine(Folder, "not-a-bundle.zip");
        await File.WriteAllTextAsync(notZip, "hello", Ct);
        var notBundle = await RunOfflineAsync("ledger", "verify", "--bundle", notZip, "--state-file", StateFile);
        notBundle.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, notBundle.ToString());
        notBundle.Error.ShouldStartWith($"error: cannot read the bundle {notZip}");

        var both = await cli.RunAsync("ctp_unused", "ledger", "verify", "--public-key", "k", "--public-key-file", notZip);
        both.ExitCode.ShouldBe(ExitCodes.UsageOrConnection, both.ToString());
        both.Error.ShouldContain("--public-key cannot be combined with --public-key-file");
        cli.Requests.ShouldBe(0);
    }

    /// <summary>The root the first <paramref name="size"/> entries give, as the verifier computes it.</summary>
    private static string RootOfFirst(List<JsonObject> entries, int size) =>
        RootOf(entries.Take(size).Select(e => e["leafHash"]!.GetValue<string>()));

    private async Task EditStateAsync(Action<JsonObject> edit)
    {
        var state = JsonNode.Parse(await File.ReadAllTextAsync(StateFile, Ct))!;
        edit(state["logs"]!.AsArray().Single()!.AsObject());
        await File.WriteAllTextAsync(StateFile, state.ToJsonString(), Ct);
    }
}

public sealed class LedgerVerifyTests_Sqlite(SqliteApp app) : LedgerVerifyTests(app), IClassFixture<SqliteApp>;

public sealed class LedgerVerifyTests_Postgres(PostgresApp app) : LedgerVerifyTests(app), IClassFixture<PostgresApp>;
