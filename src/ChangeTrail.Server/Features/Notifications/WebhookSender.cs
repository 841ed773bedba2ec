using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>What one round of the sender did.</summary>
public sealed record WebhookRound(int Delivered, int Failed, int GivenUp);

/// <summary>
/// Sends the queued <see cref="WebhookDelivery"/> rows, at least once: every <c>ChangeTrail:Notifications:PollInterval</c>
/// it POSTs the due ones, signed with the webhook's secret as Standard Webhooks specify (https://www.standardwebhooks.com/,
/// see <see cref="SendAsync"/>), so receivers verify them and reject replays with an existing library. A 2xx delivers;
/// anything else is tried again after a backoff (30 s, doubling, at most an hour) for 7 days, then given up and logged
/// as an error.
/// Instances share the queue: each claims a delivery with a conditional update before sending it, so two rarely send
/// the same one, and receivers deduplicate on the delivery id (<c>webhook-id</c>) for when they do.
/// </summary>
public sealed class WebhookSender(IServiceScopeFactory scopes, NotificationWebhooks webhooks, IHttpClientFactory httpClients,
    TimeProvider time, Clock clock, IOptions<ChangeTrailOptions> options, ILogger<WebhookSender> logger) : ScheduledJob(time, logger)
{
    public const string HttpClientName = "ChangeTrail.Webhooks";

    /// <summary>The delivery's id, the same on every attempt: receivers deduplicate on it.</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>When this attempt was made, in Unix seconds: receivers refuse one too far from their clock (a replay).</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary><c>v1,</c> and the base64 HMAC-SHA256 of <c>{webhook-id}.{webhook-timestamp}.{body}</c>, keyed with the secret.</summary>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The event type, as the body's <c>type</c> says it too; unsigned, for routing and logs (trust the body's).</summary>
    public const string EventHeader = "X-ChangeTrail-Event";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan LongestRetry = TimeSpan.FromHours(1);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(7);

    /// <summary>How long a claimed delivery is kept from other instances: well beyond the request's timeout.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    private const int BatchSize = 20;

    protected override TimeSpan Interval => options.Value.Notifications.PollInterval;

    protected override string Name => "Sending webhook notifications";

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>
    /// One round: sends every delivery due now. The webhooks are served side by side, each in queue order; the first
    /// failure of a webhook ends its round, so a receiver that is down costs one timeout a round, not one per delivery.
    /// </summary>
    public async Task<WebhookRound> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        List<string> urls;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            urls = await Due(db, now).Select(d => d.WebhookUrl).Distinct().ToListAsync(cancellationToken);
        }
        var rounds = await Task.WhenAll(urls.Select(url => SendDueAsync(url, now, cancellationToken)));
        return new WebhookRound(rounds.Sum(r => r.Delivered), rounds.Sum(r => r.Failed), rounds.Sum(r => r.GivenUp));
    }

    /// <summary>The wait after the <paramref name="attempts"/>th failed attempt: 30 s, doubling, at most an hour.</summary>
    public static TimeSpan Backoff(int attempts) =>
        attempts >= 8 ? LongestRetry : TimeSpan.FromTicks(Math.Min(FirstRetry.Ticks << Math.Max(attempts - 1, 0), LongestRetry.Ticks));

    private static IQueryable<WebhookDelivery> Due(ChangeTrailDbContext db, DateTime now) =>
        db.WebhookDeliveries.AsNoTracking().Where(d => d.DeliveredAt == null && d.NextAttemptAt != null && d.NextAttemptAt <= now);

    private async Task<WebhookRound> SendDueAsync(string url, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var webhook = webhooks.Find(url);
        var delivered = 0;
        while (true)
        {
            // A delivery sent, failed or claimed elsewhere is no longer due, so each batch is new and the loop ends.
            var batch = await Due(db, now).Where(d => d.WebhookUrl == url)
                .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt).Take(BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
                return new WebhookRound(delivered, 0, 0);
            foreach (var delivery in batch)
            {
                var claimedUntil = clock.UtcNow + ClaimFor;
                var claimed = await db.WebhookDeliveries
                    .Where(d => d.Id == delivery.Id && d.DeliveredAt == null && d.NextAttemptAt == delivery.NextAttemptAt)
                    .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, claimedUntil), cancellationToken);
                if (claimed != 1)
                    continue; // another instance has it

                var error = webhook is null
                    ? "No webhook with this URL is configured (ChangeTrail:Notifications:Webhooks)."
                    : await SendAsync(webhook, delivery, cancellationToken);
                var attempts = delivery.Attempts + 1;
                if (error is null)
                {
                    var at = clock.UtcNow;
                    await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(d => d
                        .SetProperty(x => x.DeliveredAt, at)
                        .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
                        .SetProperty(x => x.Attempts, attempts), cancellationToken);
                    delivered++;
                    continue;
                }

                var givenUp = await FailAsync(db, delivery, attempts, claimedUntil, error, cancellationToken);
                return new WebhookRound(delivered, givenUp ? 0 : 1, givenUp ? 1 : 0);
            }
        }
    }

    /// <summary>Records a failed attempt: the next one after the backoff, or none once the delivery is 7 days old.</summary>
    private async Task<bool> FailAsync(ChangeTrailDbContext db, WebhookDelivery delivery, int attempts, DateTime claimedUntil, string error,
        CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var giveUp = now - delivery.CreatedAt >= GiveUpAfter;
        DateTime? next = giveUp ? null : now + Backoff(attempts);
        var lastError = Truncate(giveUp ? $"Gave up after {attempts} attempts over {GiveUpAfter.TotalDays:0} days; the last: {error}" : error);
        // Only while the claim is still ours: past it, another instance may have sent the delivery since.
        await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.NextAttemptAt == claimedUntil).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.Attempts, attempts)
            .SetProperty(x => x.NextAttemptAt, next)
            .SetProperty(x => x.LastError, lastError), cancellationToken);
        if (giveUp)
            logger.LogError("Gave up delivering {EventType} notification {DeliveryId} to {Webhook} after {Attempts} attempts since {CreatedAt:O}: {Error}",
                delivery.EventType, delivery.Id, ForLog(delivery.WebhookUrl), attempts, delivery.CreatedAt, error);
        else
            logger.LogWarning("Delivering {EventType} notification {DeliveryId} to {Webhook} failed (attempt {Attempts}): {Error}; trying again at {NextAttemptAt:O}.",
                delivery.EventType, delivery.Id, ForLog(delivery.WebhookUrl), attempts, error, next);
        return giveUp;
    }

    /// <summary>
    /// One attempt: null when the receiver answered 2xx, otherwise what went wrong. The body is the payload's UTF-8
    /// bytes, as queued; the <c>webhook-id</c> is the delivery's id and the <c>webhook-timestamp</c> this attempt's
    /// time, both signed with the body (by the StandardWebhooks library), so a retry is recognised as the same delivery
    /// yet a captured request cannot be replayed once it is older than the receiver's tolerance (5 minutes in the libraries).
    /// </summary>
    private async Task<string?> SendAsync(Webhook webhook, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var id = delivery.Id.ToString();
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(new DateTimeOffset(clock.UtcNow).ToUnixTimeSeconds());
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(delivery.Payload)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(IdHeader, id);
        request.Headers.Add(TimestampHeader, timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SignatureHeader, webhook.Signer.Sign(id, timestamp, delivery.Payload));
        request.Headers.Add(EventHeader, delivery.EventType);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Refused, unreachable, reset, or the 10 s timeout (a TaskCanceledException that says so).
            return e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{e.Message} {inner.Message}"
                : e.Message;
        }
    }

    private static string Truncate(string error) =>
        error.Length <= WebhookDelivery.LastErrorMaxLength ? error : error[..(WebhookDelivery.LastErrorMaxLength - 1)] + "…";

    /// <summary>A webhook URL without its query, which may carry a token.</summary>
    private static string ForLog(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(invalid URL)";
}
