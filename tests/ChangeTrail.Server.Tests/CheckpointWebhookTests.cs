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

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Every newly signed checkpoint is queued, with it, for each notification webhook, and delivered at least once to a
/// real receiver on loopback: the signed note exactly, signed with the webhook's secret, retried after a backoff.
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

        (await Sender.RunOnceAsync(Ct)).Delivered.ShouldBe(2);

        var verifiers = (await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/public-key", Ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(k => NoteVerifier.Parse(k).Value!).ToList();
        foreach (var delivery in queued)
        {
            var request = Receiver.For(delivery.Id).ShouldHaveSingleItem();
            request.Url.ShouldBe(delivery.WebhookUrl);
            request.Headers["Content-Type"].ShouldBe("application/json");
            request.Headers["X-ChangeTrail-Event"].ShouldBe("ledger.checkpoint");
            request.Headers["X-ChangeTrail-Signature-256"].ShouldBe(
                "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(App.SecretOf(request.Url)), request.Body)));

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
        attempts.Select(a => Convert.ToHexString(a.Body)).Distinct().ShouldHaveSingleItem("every attempt sends the same bytes");
        attempts.Select(a => a.Headers["X-ChangeTrail-Signature-256"]).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_delivery_failing_for_seven_days_is_given_up()
    {
        await ReadyAsync();
        Receiver.Answer(App.SecondUrl, 503);
        var size = SizeOf(await SignNewCheckpointAsync());
        var failing = (await DeliveriesAsync(size)).Single(d => d.WebhookUrl == App.SecondUrl);
        (await Sender.RunOnceAsync(Ct)).Failed.ShouldBe(1);

        App.Time.Advance(TimeSpan.FromDays(7));
        (await Sender.RunOnceAsync(Ct)).GivenUp.ShouldBe(1);
        var given = await DeliveryAsync(failing.Id);
        given.DeliveredAt.ShouldBeNull();
        given.NextAttemptAt.ShouldBeNull();
        given.LastError!.ShouldStartWith("Gave up after 2 attempts");
        given.LastError.ShouldContain("503");

        Receiver.Answer(App.SecondUrl, 200);
        App.Time.Advance(TimeSpan.FromHours(2));
        await Sender.RunOnceAsync(Ct);
        Receiver.For(failing.Id).Count.ShouldBe(2, "nothing is sent once given up");
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
            size = signed!.TreeSize;
            (await Queued(db, size).CountAsync(Ct)).ShouldBe(2, "queued in the caller's transaction");
            await transaction.RollbackAsync(Ct);
        }
        (await DeliveriesAsync(size)).ShouldBeEmpty();
        (await CheckpointCountAsync(size)).ShouldBe(0);

        SizeOf(await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct)).ShouldBe(size);
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
            var ours = App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct);
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

        var notes = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct)));

        notes.Distinct().ShouldHaveSingleItem();
        (await DeliveriesAsync(SizeOf(notes[0]))).Select(d => d.WebhookUrl).Order().ShouldBe([App.FirstUrl, App.SecondUrl]);
    }

    [Fact]
    public void Backoff_starts_at_30_seconds_and_doubles_up_to_an_hour()
    {
        Enumerable.Range(1, 9).Select(WebhookSender.Backoff).Select(t => t.TotalSeconds)
            .ShouldBe([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    /// <summary>Sends what earlier tests left queued and makes both receivers answer 200, so a test sees only its own.</summary>
    private async Task ReadyAsync()
    {
        Receiver.Answer(App.FirstUrl, 200);
        Receiver.Answer(App.SecondUrl, 200);
        await Sender.RunOnceAsync(Ct);
    }

    /// <summary>An entry more, and the checkpoint of the grown log (GET /ledger/checkpoint signs it).</summary>
    private async Task<string> SignNewCheckpointAsync()
    {
        await S.ServiceAsync();
        return await App.Anonymous().Http.GetStringAsync("/api/v1/ledger/checkpoint", Ct);
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

/// <summary>Webhook settings that could never deliver, or whose signatures could not be trusted, stop the server.</summary>
public sealed class WebhookConfigurationTests
{
    [Theory]
    [InlineData("/hooks/ledger", "a-secret-of-enough-length", "ChangeTrail:Notifications:Webhooks:0:Url")]
    [InlineData("ftp://witness.example.test/", "a-secret-of-enough-length", "ChangeTrail:Notifications:Webhooks:0:Url")]
    [InlineData("https://witness.example.test/", "too-short", "ChangeTrail:Notifications:Webhooks:0:Secret")]
    public async Task A_bad_webhook_refuses_the_start_naming_the_setting(string url, string secret, string setting)
    {
        await using var app = new BadWebhookApp(url, secret);
        var refused = await Should.ThrowAsync<InvalidOperationException>(async () => await app.InitializeAsync());
        refused.Message.ShouldStartWith(setting);
    }

    [Fact]
    public void Each_webhook_needs_a_url_and_is_given_once()
    {
        static NotificationWebhooks Webhooks(params WebhookOptions[] webhooks) =>
            new(Options.Create(new ChangeTrailOptions { Notifications = new NotificationOptions { Webhooks = webhooks } }));

        Webhooks().All.ShouldBeEmpty();
        Webhooks(new WebhookOptions { Url = "https://witness.example.test/a?token=1", Secret = new string('s', 16) }).All.ShouldHaveSingleItem();
        Should.Throw<InvalidOperationException>(() => Webhooks(new WebhookOptions { Secret = new string('s', 16) }))
            .Message.ShouldStartWith("ChangeTrail:Notifications:Webhooks:0:Url is not set");
        Should.Throw<InvalidOperationException>(() => Webhooks(
                new WebhookOptions { Url = "https://witness.example.test/a", Secret = new string('s', 16) },
                new WebhookOptions { Url = "https://WITNESS.example.test:443/a", Secret = new string('t', 16) }))
            .Message.ShouldStartWith("ChangeTrail:Notifications:Webhooks:1:Url is the URL of ChangeTrail:Notifications:Webhooks:0:Url");
    }

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

/// <summary>The server with two webhooks, both served by one <see cref="WebhookReceiver"/> on loopback.</summary>
public abstract class WebhookApp(TestProvider provider) : ChangeTrailApp(provider), IAsyncLifetime
{
    private const string FirstSecret = "first-witness-secret-0123456789";
    private const string SecondSecret = "second-witness-secret-9876543210";

    public WebhookReceiver Receiver { get; } = new();

    public string FirstUrl => Receiver.BaseUrl + "/witness/first";

    public string SecondUrl => Receiver.BaseUrl + "/witness/second";

    public string SecretOf(string url) => url == FirstUrl ? FirstSecret : url == SecondUrl ? SecondSecret : throw new ArgumentException(url);

    /// <summary>The receiver first: the server's configuration names its port.</summary>
    public new async ValueTask InitializeAsync()
    {
        await Receiver.StartAsync();
        await base.InitializeAsync();
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

/// <summary>One request a <see cref="WebhookReceiver"/> received.</summary>
public sealed record ReceivedWebhook(string Url, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>
/// A webhook receiver on a real loopback port (Kestrel): records every POST and answers each path with the status it
/// was told (200 unless told otherwise).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
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
            _received.Enqueue(new ReceivedWebhook(url,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
            http.Response.StatusCode = _answers.GetValueOrDefault(url, StatusCodes.Status200OK);
        });
        await _app.StartAsync();
        BaseUrl = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public void Answer(string url, int status) => _answers[url] = status;

    /// <summary>The requests carrying delivery <paramref name="id"/>, in arrival order.</summary>
    public List<ReceivedWebhook> For(Guid id) =>
        _received.Where(r => r.Headers.TryGetValue("X-ChangeTrail-Delivery", out var d) && Guid.Parse(d) == id).ToList();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
