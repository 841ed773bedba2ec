using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shouldly;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Every newly signed checkpoint is queued, with it, for each notification webhook, and delivered at least once to a
/// real receiver on loopback: the signed note exactly, signed as Standard Webhooks specify with the webhook's secret
/// (the receiver checks each request with the StandardWebhooks library, as a witness would), retried after a backoff.
/// </summary>
public abstract class CheckpointWebhookTests(WebhookApp app) : ProviderTests(app)
{
    private new WebhookApp App { get; } = app;

    private WebhookReceiver Receiver => App.Receiver;

    private WebhookSender Sender => App.Services.GetRequiredService<WebhookSender>();

    [Fact]
    public async Task A_new_checkpoint_reaches_every_webhook_once_with_the_exact_note_signed_with_its_secret()
    {
        await ReadyAsync();
        var note = await SignNewCheckpointAsync();
        var size = SizeOf(note);
        var queued = await DeliveriesAsync(size);
        queued.Select(d => d.WebhookUrl).Order().ShouldBe([App.FirstUrl, App.SecondUrl]);
        queued.ShouldAllBe(d => d.EventType == "ledger.checkpoint" && d.DeliveredAt == null && d.Attempts == 0);

        var sentAt = App.Time.GetUtcNow().ToUnixTimeSeconds();
        (await Sender.RunOnceAsync(Ct)).Delivered.ShouldBe(2);

        var verifiers = (await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/public-key", Ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(k => NoteVerifier.Parse(k).Value!).ToList();
        foreach (var delivery in queued)
        {
            var request = Receiver.For(delivery.Id).ShouldHaveSingleItem();
            request.Url.ShouldBe(delivery.WebhookUrl);
            request.Rejection.ShouldBeNull("the StandardWebhooks library verifies it with this webhook's secret");
            request.Headers["Content-Type"].ShouldBe("application/json");
            request.Headers["webhook-id"].ShouldBe(delivery.Id.ToString());
            request.Headers["webhook-timestamp"].ShouldBe(sentAt.ToString(CultureInfo.InvariantCulture), "the attempt's time, in Unix seconds");
            request.Headers["webhook-signature"].ShouldStartWith("v1,");
            request.Headers["X-ChangeTrail-Event"].ShouldBe("ledger.checkpoint");
            request.Headers.ContainsKey("X-ChangeTrail-Signature-256").ShouldBeFalse("the GitHub-style signature is gone");
            request.Headers.ContainsKey("X-ChangeTrail-Delivery").ShouldBeFalse("webhook-id replaces it");

            using var body = JsonDocument.Parse(request.Body);
            var json = body.RootElement;
            json.GetProperty("type").GetString().ShouldBe("ledger.checkpoint");
            json.GetProperty("origin").GetString().ShouldBe(LedgerOptions.DefaultOrigin);
            json.GetProperty("treeSize").GetInt64().ShouldBe(size);
            json.GetProperty("checkpoint").GetString().ShouldBe(note, "the signed note, byte for byte");
            var opened = CheckpointNote.Open(json.GetProperty("checkpoint").GetString(), LedgerOptions.DefaultOrigin, verifiers);
            opened.IsSuccess.ShouldBeTrue(opened.Detail);
            json.GetProperty("rootHash").GetString().ShouldBe(Convert.ToHexStringLower(opened.Value.Checkpoint.RootHash));
            DateTime.ParseExact(json.GetProperty("signedAt").GetString()!, "yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal).ShouldBe(await CheckpointTimeAsync(size));
        }
        (await DeliveriesAsync(size)).ShouldAllBe(d => d.DeliveredAt != null && d.NextAttemptAt == null && d.Attempts == 1);

        (await Sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(0, 0, 0));
        queued.ShouldAllBe(d => Receiver.For(d.Id).Count == 1, "a delivered notification is not sent again");
    }

    [Fact]
    public async Task A_receiver_answering_500_gets_the_same_delivery_again_after_a_doubling_backoff()
    {
        await ReadyAsync();
        Receiver.Answer(App.SecondUrl, 500);
        var size = SizeOf(await SignNewCheckpointAsync());
        var failing = (await DeliveriesAsync(size)).Single(d => d.WebhookUrl == App.SecondUrl);
        var clock = App.Services.GetRequiredService<Clock>();

        (await Sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(1, 1, 0));
        var failed = await DeliveryAsync(failing.Id);
        failed.Attempts.ShouldBe(1);
        failed.DeliveredAt.ShouldBeNull();
        failed.LastError!.ShouldContain("500");
        failed.NextAttemptAt.ShouldBe(clock.UtcNow + TimeSpan.FromSeconds(30));

        App.Time.Advance(TimeSpan.FromSeconds(29));
        await Sender.RunOnceAsync(Ct);
        Receiver.For(failing.Id).Count.ShouldBe(1, "not before the backoff");

        App.Time.Advance(TimeSpan.FromSeconds(1));
        (await Sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(0, 1, 0));
        (await DeliveryAsync(failing.Id)).NextAttemptAt.ShouldBe(clock.UtcNow + TimeSpan.FromSeconds(60), "the backoff doubles");

        Receiver.Answer(App.SecondUrl, 204);
        App.Time.Advance(TimeSpan.FromSeconds(60));
        (await Sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(1, 0, 0));
        var delivered = await DeliveryAsync(failing.Id);
        delivered.DeliveredAt.ShouldBe(clock.UtcNow);
        delivered.NextAttemptAt.ShouldBeNull();
        delivered.Attempts.ShouldBe(3);

        var attempts = Receiver.For(failing.Id);
        attempts.Count.ShouldBe(3);
        attempts.ShouldAllBe(a => a.Rejection == null, "each attempt verifies, the 500s notwithstanding");
        attempts.Select(a => Convert.ToHexString(a.Body)).Distinct().ShouldHaveSingleItem("every attempt sends the same bytes");
        attempts.Select(a => a.Headers["webhook-id"]).ShouldAllBe(id => id == failing.Id.ToString(), "the same webhook-id: receivers deduplicate on it");
        var first = long.Parse(attempts[0].Headers["webhook-timestamp"], CultureInfo.InvariantCulture);
        attempts.Select(a => long.Parse(a.Headers["webhook-timestamp"], CultureInfo.InvariantCulture) - first)
            .ShouldBe([0, 30, 90], "each attempt carries its own time");
        attempts.Select(a => a.Headers["webhook-signature"]).Distinct().Count().ShouldBe(3, "so each is signed anew");
    }

    /// <summary>
    /// The delivery is made 7 days old in the database rather than by moving the clock 7 days: the receiver's library
    /// checks each request's timestamp against the real time, so this class keeps its clock within minutes of it.
    /// </summary>
    [Fact]
    public async Task A_delivery_failing_for_seven_days_is_given_up()
    {
        await ReadyAsync();
        Receiver.Answer(App.SecondUrl, 503);
        var size = SizeOf(await SignNewCheckpointAsync());
        var failing = (await DeliveriesAsync(size)).Single(d => d.WebhookUrl == App.SecondUrl);
        (await Sender.RunOnceAsync(Ct)).Failed.ShouldBe(1);

        var now = App.Services.GetRequiredService<Clock>().UtcNow;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().WebhookDeliveries.Where(d => d.Id == failing.Id)
                .ExecuteUpdateAsync(d => d
                    .SetProperty(x => x.CreatedAt, now - WebhookSender.GiveUpAfter)
                    .SetProperty(x => x.NextAttemptAt, now), Ct);
        }
        (await Sender.RunOnceAsync(Ct)).GivenUp.ShouldBe(1);
        var given = await DeliveryAsync(failing.Id);
        given.DeliveredAt.ShouldBeNull();
        given.NextAttemptAt.ShouldBeNull();
        given.LastError!.ShouldStartWith("Gave up after 2 attempts");
        given.LastError.ShouldContain("503");

        Receiver.Answer(App.SecondUrl, 200);
        App.Time.Advance(WebhookSender.Backoff(2));
        await Sender.RunOnceAsync(Ct);
        Receiver.For(failing.Id).Count.ShouldBe(2, "nothing is sent once given up, not even after the backoff a third attempt would have had");
    }

    [Fact]
    public async Task A_tampered_body_another_secret_or_a_changed_id_or_timestamp_fails_the_library_check()
    {
        await ReadyAsync();
        var size = SizeOf(await SignNewCheckpointAsync());
        var delivery = (await DeliveriesAsync(size)).Single(d => d.WebhookUrl == App.FirstUrl);
        await Sender.RunOnceAsync(Ct);
        var request = Receiver.For(delivery.Id).ShouldHaveSingleItem();
        var body = Encoding.UTF8.GetString(request.Body);
        var secret = App.SecretOf(request.Url);

        // As received, it verifies: each refusal below is the change it makes, nothing else.
        Refusal(secret, body, request.StandardHeaders()).ShouldBeNull();

        var tampered = body.Replace($"\"treeSize\":{size},", $"\"treeSize\":{size + 1},", StringComparison.Ordinal);
        tampered.ShouldNotBe(body);
        Refusal(secret, tampered, request.StandardHeaders()).ShouldBe("No matching signature found");

        Refusal(App.SecretOf(App.SecondUrl), body, request.StandardHeaders()).ShouldBe("No matching signature found", "another webhook's secret");
        Refusal("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), body, request.StandardHeaders())
            .ShouldBe("No matching signature found", "a secret nobody configured");

        // The id and the timestamp are signed too: a replay cannot dodge deduplication or refresh its time.
        Refusal(secret, body, request.StandardHeaders(id: Guid.CreateVersion7().ToString())).ShouldBe("No matching signature found");
        var later = long.Parse(request.Headers["webhook-timestamp"], CultureInfo.InvariantCulture) + 1;
        Refusal(secret, body, request.StandardHeaders(timestamp: later.ToString(CultureInfo.InvariantCulture)))
            .ShouldBe("No matching signature found");
    }

    [Fact]
    public async Task Nothing_is_queued_when_no_checkpoint_is_newly_signed()
    {
        await ReadyAsync();
        var note = await SignNewCheckpointAsync();
        (await Sender.RunOnceAsync(Ct)).Delivered.ShouldBe(2);
        var before = await CountAsync();

        (await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct)).ShouldBe(note, "the log did not grow");
        (await App.Services.GetRequiredService<CheckpointSchedule>().RunOnceAsync(Ct)).ShouldBeNull();

        (await CountAsync()).ShouldBe(before);
        (await Sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(0, 0, 0));
    }

    [Fact]
    public async Task A_checkpoint_and_its_deliveries_are_committed_together_or_not_at_all()
    {
        await ReadyAsync();
        await S.ServiceAsync();
        long size;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            var signed = await scope.ServiceProvider.GetRequiredService<LedgerCheckpoints>().SignIfGrownAsync(Ct);
            size = signed.Value!.TreeSize;
            (await Queued(db, size).CountAsync(Ct)).ShouldBe(2, "queued in the caller's transaction");
            await transaction.RollbackAsync(Ct);
        }
        (await DeliveriesAsync(size)).ShouldBeEmpty();
        (await CheckpointCountAsync(size)).ShouldBe(0);

        SizeOf(await App.SignCheckpointAsync()).ShouldBe(size);
        (await CheckpointCountAsync(size)).ShouldBe(1);
        (await DeliveriesAsync(size)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_checkpoint_another_instance_signed_first_queues_nothing_more()
    {
        await ReadyAsync();
        await S.ServiceAsync();
        var before = await CountAsync();
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var key = scope.ServiceProvider.GetRequiredService<SigningKeyProvider>();
        var size = await LedgerStore.SizeAsync(db, Ct);
        var root = await LedgerStore.RootHashAsync(db, size, Ct);
        var theirs = new LedgerCheckpoint
        {
            TreeSize = size,
            RootHash = root.ToArray(),
            Note = key.Sign(new Checkpoint(key.Origin, size, root.ToArray())),
            CreatedAt = Clock.Truncate(new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
        };

        // The other instance's insert is in, not yet committed: ours reads no checkpoint of this size, signs, and waits on its insert.
        string served;
        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            db.LedgerCheckpoints.Add(theirs);
            await db.SaveChangesAsync(Ct);
            var ours = App.SignCheckpointAsync();
            await WaitUntilBlockedAsync(ours);
            await transaction.CommitAsync(Ct);
            served = await ours;
        }

        served.ShouldBe(theirs.Note);
        (await CheckpointTimeAsync(size)).ShouldBe(theirs.CreatedAt, "their row stands");
        (await CountAsync()).ShouldBe(before, "the deliveries are the winner's to queue");
    }

    [Fact]
    public async Task Racing_requests_for_a_checkpoint_queue_its_deliveries_once()
    {
        await ReadyAsync();
        await S.ServiceAsync();

        var notes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => App.SignCheckpointAsync()));

        notes.Distinct().ShouldHaveSingleItem();
        (await DeliveriesAsync(SizeOf(notes[0]))).Select(d => d.WebhookUrl).Order().ShouldBe([App.FirstUrl, App.SecondUrl]);
    }

    [Fact]
    public void Backoff_starts_at_30_seconds_and_doubles_up_to_an_hour()
    {
        Enumerable.Range(1, 9).Select(WebhookSender.Backoff).Select(t => t.TotalSeconds)
            .ShouldBe([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    /// <summary>
    /// Brings the clock up to the real time (the receiver's library checks timestamps against it), sends what earlier
    /// tests left queued and makes both receivers answer 200, so a test sees only its own.
    /// </summary>
    private async Task ReadyAsync()
    {
        App.CatchUpWithRealTime();
        Receiver.Answer(App.FirstUrl, 200);
        Receiver.Answer(App.SecondUrl, 200);
        await Sender.RunOnceAsync(Ct);
    }

    private static string? Refusal(string secret, string body, IHeaderDictionary headers) => WebhookReceiver.Refusal(secret, body, headers);

    /// <summary>An entry more, and the checkpoint of the grown log (POST /ledger/checkpoint signs it).</summary>
    private async Task<string> SignNewCheckpointAsync()
    {
        await S.ServiceAsync();
        return await App.SignCheckpointAsync();
    }

    private static long SizeOf(string note) => long.Parse(note.Split('\n')[1], CultureInfo.InvariantCulture);

    /// <summary>
    /// Until the request waits on the lock the other insert holds: PostgreSQL shows the waiting statement; SQLite does not,
    /// so there it is enough that the request, otherwise done in milliseconds, has not finished.
    /// </summary>
    private async Task WaitUntilBlockedAsync(Task request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await Task.Delay(100, Ct);
            request.IsCompleted.ShouldBeFalse("the request waits for the other instance's transaction");
            if (App.Provider == TestProvider.Sqlite)
                return;
            await using var scope = App.Services.CreateAsyncScope();
            var waiting = await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().Database.SqlQuery<int>($"""
                SELECT count(*)::int AS "Value" FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO "LedgerCheckpoint"%'
                """).SingleAsync(Ct);
            if (waiting > 0)
                return;
            DateTime.UtcNow.ShouldBeLessThan(deadline, "the request reaches its insert");
        }
    }

    private static IQueryable<WebhookDelivery> Queued(ChangeTrailDbContext db, long size) =>
        db.WebhookDeliveries.AsNoTracking().Where(d => d.Payload.Contains($"\"treeSize\":{size},"));

    private async Task<List<WebhookDelivery>> DeliveriesAsync(long size)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await Queued(scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>(), size).ToListAsync(Ct);
    }

    private async Task<WebhookDelivery> DeliveryAsync(Guid id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == id, Ct);
    }

    private async Task<int> CountAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().WebhookDeliveries.CountAsync(Ct);
    }

    private async Task<int> CheckpointCountAsync(long size)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().LedgerCheckpoints.CountAsync(c => c.TreeSize == size, Ct);
    }

    private async Task<DateTime> CheckpointTimeAsync(long size)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>().LedgerCheckpoints.AsNoTracking()
            .SingleAsync(c => c.TreeSize == size, Ct)).CreatedAt;
    }
}

public sealed class CheckpointWebhookTests_Sqlite(SqliteWebhookApp app) : CheckpointWebhookTests(app), IClassFixture<SqliteWebhookApp>;

public sealed class CheckpointWebhookTests_Postgres(PostgresWebhookApp app) : CheckpointWebhookTests(app), IClassFixture<PostgresWebhookApp>;

/// <summary>
/// A delivery captured and replayed later is refused by the receiver's StandardWebhooks library: its timestamp is
/// signed, and older than the 5 minutes the library tolerates. The library compares it with the real time, so the
/// server here runs on a clock 10 minutes behind, on a server of its own; signing does not touch the database, so
/// SQLite is enough.
/// </summary>
public sealed class WebhookReplayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_delivery_arriving_ten_minutes_after_it_was_signed_is_refused_as_a_replay_and_its_retry_is_signed_anew()
    {
        await using var app = new LaggingWebhookApp();
        await app.InitializeAsync();
        var sender = app.Services.GetRequiredService<WebhookSender>();
        await new Scenario(app).ServiceAsync();
        await app.SignCheckpointAsync();

        (await sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(0, 2, 0), "both receivers answer 401");
        var replays = app.Receiver.Received;
        replays.Count.ShouldBe(2);
        replays.ShouldAllBe(r => r.Rejection == "Message timestamp too old");

        // The same requests made now: the retries, with this attempt's time, verify.
        app.Time.Advance(LaggingWebhookApp.Lag);
        (await sender.RunOnceAsync(Ct)).ShouldBe(new WebhookRound(2, 0, 0));
        foreach (var replay in replays)
        {
            var attempts = app.Receiver.For(Guid.Parse(replay.Headers["webhook-id"]));
            attempts.Count.ShouldBe(2);
            attempts[1].Rejection.ShouldBeNull();
            attempts[1].Body.ShouldBe(replay.Body);
            (long.Parse(attempts[1].Headers["webhook-timestamp"], CultureInfo.InvariantCulture) -
                long.Parse(replay.Headers["webhook-timestamp"], CultureInfo.InvariantCulture)).ShouldBe((long)LaggingWebhookApp.Lag.TotalSeconds);
        }
    }

    private sealed class LaggingWebhookApp() : WebhookApp(TestProvider.Sqlite, DateTimeOffset.UtcNow - Lag)
    {
        public static readonly TimeSpan Lag = TimeSpan.FromMinutes(10);
    }
}

/// <summary>Webhook settings that could never deliver, or whose signatures could not be trusted, stop the server.</summary>
public sealed class WebhookConfigurationTests
{
    private const string GoodSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Theory]
    [InlineData("/hooks/ledger", GoodSecret, "ChangeTrail:Notifications:Webhooks:0:Url")]
    [InlineData("ftp://witness.example.test/", GoodSecret, "ChangeTrail:Notifications:Webhooks:0:Url")]
    [InlineData("https://witness.example.test/", "a-secret-of-enough-length", "ChangeTrail:Notifications:Webhooks:0:Secret does not start with \"whsec_\"")]
    [InlineData("https://witness.example.test/", "whsec_c2hvcnQtc2hvcnQtc2hvcnQ=", "ChangeTrail:Notifications:Webhooks:0:Secret holds a key of 17 bytes")]
    public async Task A_bad_webhook_refuses_the_start_naming_the_setting(string url, string secret, string message)
    {
        await using var app = new BadWebhookApp(url, secret);
        var refused = await Should.ThrowAsync<InvalidOperationException>(async () => await app.InitializeAsync());
        refused.Message.ShouldStartWith(message);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(32)]
    [InlineData(64)]
    public void A_whsec_secret_of_24_to_64_bytes_signs_what_the_StandardWebhooks_library_verifies_with_the_same_string(int bytes)
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));
        var webhook = Webhooks(new WebhookOptions { Url = "https://witness.example.test/", Secret = secret }).All.ShouldHaveSingleItem();

        const string id = "0197a3d1-6b0c-7d2e-9f10-6a1b2c3d4e5f";
        const string body = "{\"type\":\"ledger.checkpoint\",\"note\":\"caf\u00e9 \u2014 \u00fcber\"}";
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["webhook-signature"] = webhook.Signer.Sign(id, now, body),
        };
        WebhookReceiver.Refusal(secret, body, headers).ShouldBeNull();
        WebhookReceiver.Refusal("whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)), body, headers)
            .ShouldBe("No matching signature found", "the key is the secret's, not any key");
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("", "is not set")]
    [InlineData("first-witness-secret-0123456789", "does not start with \"whsec_\"")]
    [InlineData("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "does not start with \"whsec_\"")]
    [InlineData("whsec_", "holds a key of 0 bytes")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La", "holds a key of 21 bytes")]
    [InlineData("whsec_not base64 at all, this one!", "is not \"whsec_\" followed by padded base64")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAA", "is not \"whsec_\" followed by padded base64")] // unpadded
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZI o2LaLaSw", "is not \"whsec_\" followed by padded base64")] // a space
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw-_-_", "is not \"whsec_\" followed by padded base64")] // URL-safe alphabet
    public void A_secret_that_is_not_a_Standard_Webhooks_secret_of_24_to_64_bytes_is_refused_without_echoing_it(string? secret, string problem)
    {
        var refused = Should.Throw<InvalidOperationException>(() => Webhooks(new WebhookOptions { Url = "https://witness.example.test/", Secret = secret }));
        refused.Message.ShouldStartWith("ChangeTrail:Notifications:Webhooks:0:Secret " + problem);
        refused.Message.ShouldContain("whsec_$(openssl rand -base64 32)", Case.Sensitive, "it says how to make one");
        if (!string.IsNullOrEmpty(secret) && secret != "whsec_")
            refused.Message.ShouldNotContain(secret, Case.Insensitive, "secrets stay out of logs");
    }

    [Fact]
    public void A_key_longer_than_64_bytes_is_refused()
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(65));
        Should.Throw<InvalidOperationException>(() => Webhooks(new WebhookOptions { Url = "https://witness.example.test/", Secret = secret }))
            .Message.ShouldStartWith("ChangeTrail:Notifications:Webhooks:0:Secret holds a key of 65 bytes");
    }

    [Fact]
    public void Each_webhook_needs_a_url_and_is_given_once()
    {
        Webhooks().All.ShouldBeEmpty();
        Webhooks(new WebhookOptions { Url = "https://witness.example.test/a?token=1", Secret = GoodSecret }).All.ShouldHaveSingleItem();
        Should.Throw<InvalidOperationException>(() => Webhooks(new WebhookOptions { Secret = GoodSecret }))
            .Message.ShouldStartWith("ChangeTrail:Notifications:Webhooks:0:Url is not set");
        Should.Throw<InvalidOperationException>(() => Webhooks(
                new WebhookOptions { Url = "https://witness.example.test/a", Secret = GoodSecret },
                new WebhookOptions { Url = "https://WITNESS.example.test:443/a", Secret = GoodSecret }))
            .Message.ShouldStartWith("ChangeTrail:Notifications:Webhooks:1:Url is the URL of ChangeTrail:Notifications:Webhooks:0:Url");
    }

    private static NotificationWebhooks Webhooks(params WebhookOptions[] webhooks) =>
        new(Options.Create(new ChangeTrailOptions { Notifications = new NotificationOptions { Webhooks = webhooks } }));

    private sealed class BadWebhookApp(string url, string secret) : ChangeTrailApp(TestProvider.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ChangeTrail:Notifications:Webhooks:0:Url", url);
            builder.UseSetting("ChangeTrail:Notifications:Webhooks:0:Secret", secret);
        }
    }
}

/// <summary>
/// The server with two webhooks, both served by one <see cref="WebhookReceiver"/> on loopback, which verifies every
/// request with the StandardWebhooks library and the webhook's secret.
/// </summary>
public abstract class WebhookApp(TestProvider provider, DateTimeOffset? start = null) : ChangeTrailApp(provider, start), IAsyncLifetime
{
    // Standard Webhooks secrets, as an operator makes them: "whsec_$(openssl rand -base64 32)".
    private const string FirstSecret = "whsec_NYPjkPQflUxWMc18sLeLM7Vp62x5nJjo8sX1cBRS6lw=";
    private const string SecondSecret = "whsec_jrQ50MzjSQI+yMvIAsTgxBfB/ePUO///ZDdhmcWwrAc=";

    public WebhookReceiver Receiver { get; } = new();

    public string FirstUrl => Receiver.BaseUrl + "/witness/first";

    public string SecondUrl => Receiver.BaseUrl + "/witness/second";

    public string SecretOf(string url) => url == FirstUrl ? FirstSecret : url == SecondUrl ? SecondSecret : throw new ArgumentException(url);

    /// <summary>The receiver first: the server's configuration names its port.</summary>
    public new async ValueTask InitializeAsync()
    {
        await Receiver.StartAsync();
        Receiver.Trust(FirstUrl, FirstSecret);
        Receiver.Trust(SecondUrl, SecondSecret);
        await base.InitializeAsync();
    }

    /// <summary>
    /// Moves the clock on to the real time if it is behind: the receiver's library refuses a timestamp more than
    /// 5 minutes from the real time, and the tests sharing this server only ever move its clock minutes ahead.
    /// </summary>
    public void CatchUpWithRealTime()
    {
        var real = DateTimeOffset.UtcNow;
        if (real > Time.GetUtcNow())
            Time.SetUtcNow(real);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // Checkpoints are signed when a test asks, not whenever another test moves the clock past a minute.
        builder.UseSetting("ChangeTrail:Ledger:CheckpointInterval", "00:00:00");
        builder.UseSetting("ChangeTrail:Notifications:Webhooks:0:Url", FirstUrl);
        builder.UseSetting("ChangeTrail:Notifications:Webhooks:0:Secret", FirstSecret);
        builder.UseSetting("ChangeTrail:Notifications:Webhooks:1:Url", SecondUrl);
        builder.UseSetting("ChangeTrail:Notifications:Webhooks:1:Secret", SecondSecret);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

public sealed class SqliteWebhookApp() : WebhookApp(TestProvider.Sqlite);

public sealed class PostgresWebhookApp() : WebhookApp(TestProvider.Postgres);

/// <summary>
/// One request a <see cref="WebhookReceiver"/> received, and why the StandardWebhooks library refused it (null when
/// it verified).
/// </summary>
public sealed record ReceivedWebhook(string Url, IReadOnlyDictionary<string, string> Headers, byte[] Body, string? Rejection)
{
    /// <summary>The Standard Webhooks headers as received, or with the id or the timestamp changed.</summary>
    public IHeaderDictionary StandardHeaders(string? id = null, string? timestamp = null) => new HeaderDictionary
    {
        ["webhook-id"] = id ?? Headers["webhook-id"],
        ["webhook-timestamp"] = timestamp ?? Headers["webhook-timestamp"],
        ["webhook-signature"] = Headers["webhook-signature"],
    };
}

/// <summary>
/// A webhook receiver on a real loopback port (Kestrel), doing what a witness does: it verifies each POST with the
/// StandardWebhooks library (never with the server's code) and the secret it shares with the server, answers 401
/// when that fails, and otherwise the status it was told for the path (200 unless told otherwise). It records every
/// request, with the library's verdict.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private WebApplication? _app;

    public string BaseUrl { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var url = BaseUrl + http.Request.Path;
            var rejection = _secrets.TryGetValue(url, out var secret)
                ? Refusal(secret, Encoding.UTF8.GetString(body.ToArray()), http.Request.Headers)
                : "No secret is shared for this URL";
            _received.Enqueue(new ReceivedWebhook(url,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray(), rejection));
            http.Response.StatusCode = rejection is null ? _answers.GetValueOrDefault(url, StatusCodes.Status200OK) : StatusCodes.Status401Unauthorized;
        });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    /// <summary>The secret the requests to <paramref name="url"/> are verified with.</summary>
    public void Trust(string url, string secret) => _secrets[url] = secret;

    public void Answer(string url, int status) => _answers[url] = status;

    /// <summary>Every request, in arrival order.</summary>
    public List<ReceivedWebhook> Received => [.. _received];

    /// <summary>The requests carrying delivery <paramref name="id"/> as their <c>webhook-id</c>, in arrival order.</summary>
    public List<ReceivedWebhook> For(Guid id) =>
        _received.Where(r => r.Headers.TryGetValue("webhook-id", out var d) && Guid.TryParse(d, out var g) && g == id).ToList();

    /// <summary>Why the StandardWebhooks library refuses a request (its message), or null when it verifies.</summary>
    public static string? Refusal(string secret, string body, IHeaderDictionary headers)
    {
        try
        {
            new StandardWebhook(secret).Verify(body, headers);
            return null;
        }
        catch (WebhookVerificationException e)
        {
            return e.Message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
