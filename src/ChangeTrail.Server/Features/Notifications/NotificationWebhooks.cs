using ChangeTrail.Server.Hosting;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>One configured webhook: where notifications are POSTed, and the key that signs them.</summary>
public sealed record Webhook(Uri Url, string Secret)
{
    /// <summary>The URL as deliveries store it; the sender finds the secret by it.</summary>
    public string Key => Url.AbsoluteUri;
}

/// <summary>
/// The webhooks of <c>ChangeTrail:Notifications:Webhooks</c>, checked once, at start-up: a webhook that could never
/// receive a notification, or whose signatures a receiver could not trust, stops the server instead of losing
/// notifications quietly. Every notification is queued for each of them (see <see cref="WebhookOutbox"/>).
/// </summary>
public sealed class NotificationWebhooks
{
    public const string Setting = "ChangeTrail:Notifications:Webhooks";
    public const int MinimumSecretLength = 16;

    public NotificationWebhooks(IOptions<ChangeTrailOptions> options)
    {
        var webhooks = new List<Webhook>();
        foreach (var (configured, i) in options.Value.Notifications.Webhooks.Select((w, i) => (w, i)))
        {
            var url = configured?.Url?.Trim();
            if (string.IsNullOrEmpty(url))
                throw new InvalidOperationException($"{Setting}:{i}:Url is not set: give the absolute http or https URL to send notifications to.");
            // On Unix "/hooks" parses as an absolute file: URI, hence the scheme check.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new InvalidOperationException($"{Setting}:{i}:Url '{url}' is not an absolute http or https URL.");
            if ((configured!.Secret?.Length ?? 0) < MinimumSecretLength)
                throw new InvalidOperationException(
                    $"{Setting}:{i}:Secret must be at least {MinimumSecretLength} characters: it keys the HMAC-SHA256 signature " +
                    "receivers check each delivery with.");
            var webhook = new Webhook(uri, configured.Secret!);
            var same = webhooks.FindIndex(w => w.Key == webhook.Key);
            if (same >= 0)
                throw new InvalidOperationException($"{Setting}:{i}:Url is the URL of {Setting}:{same}:Url already; give each webhook once.");
            webhooks.Add(webhook);
        }
        All = webhooks;
    }

    public IReadOnlyList<Webhook> All { get; }

    /// <summary>The webhook a delivery was queued for, or null when it is no longer configured.</summary>
    public Webhook? Find(string key) => All.FirstOrDefault(w => w.Key == key);
}
