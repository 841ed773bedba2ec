using ChangeTrail.Server.Hosting;
using Microsoft.Extensions.Options;
using StandardWebhooks;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// One configured webhook: where notifications are POSTed, and the <see cref="StandardWebhook"/> that signs them with
/// the webhook's secret (Standard Webhooks' <c>v1</c>: HMAC-SHA256 keyed with the secret's bytes).
/// </summary>
public sealed record Webhook(Uri Url, StandardWebhook Signer)
{
    /// <summary>The URL as deliveries store it; the sender finds the signer by it.</summary>
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

    /// <summary>What starts a Standard Webhooks symmetric secret; the rest is the base64 of the key's bytes.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>The key sizes the Standard Webhooks specification allows for HMAC-SHA256: 24 to 64 random bytes.</summary>
    public const int MinimumKeyBytes = 24;

    public const int MaximumKeyBytes = 64;

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
            var key = SecretKey(configured!.Secret, out var problem) ?? throw new InvalidOperationException(
                $"{Setting}:{i}:Secret {problem}. It must be a Standard Webhooks secret, \"{SecretPrefix}\" followed by the base64 of " +
                $"{MinimumKeyBytes} to {MaximumKeyBytes} random bytes (e.g. \"{SecretPrefix}$(openssl rand -base64 32)\"): it keys the " +
                "HMAC-SHA256 of the webhook-signature header, which the receiver checks with the same string.");
            var webhook = new Webhook(uri, new StandardWebhook(key));
            var same = webhooks.FindIndex(w => w.Key == webhook.Key);
            if (same >= 0)
                throw new InvalidOperationException($"{Setting}:{i}:Url is the URL of {Setting}:{same}:Url already; give each webhook once.");
            webhooks.Add(webhook);
        }
        All = webhooks;
    }

    public IReadOnlyList<Webhook> All { get; }

    /// <summary>No webhook: for what must announce nothing, such as the demo's made-up history.</summary>
    public static readonly NotificationWebhooks None = new(Options.Create(new ChangeTrailOptions()));

    /// <summary>The webhook a delivery was queued for, or null when it is no longer configured.</summary>
    public Webhook? Find(string key) => All.FirstOrDefault(w => w.Key == key);

    /// <summary>
    /// The key bytes of a Standard Webhooks secret, <c>whsec_</c> and the padded, standard base64 of 24 to 64 bytes; or
    /// null, and what is wrong with it (never the secret itself, which would end up in a log). Only the canonical
    /// encoding is accepted, so every receiver library (some decode leniently, skipping what is not base64) derives
    /// the same key from the same string.
    /// </summary>
    public static byte[]? SecretKey(string? secret, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(secret))
            problem = "is not set";
        else if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
            problem = $"does not start with \"{SecretPrefix}\"";
        else
        {
            var encoded = secret[SecretPrefix.Length..];
            var key = new byte[(encoded.Length / 4 * 3) + 3];
            if (!Convert.TryFromBase64String(encoded, key, out var length) || Convert.ToBase64String(key, 0, length) != encoded)
                problem = $"is not \"{SecretPrefix}\" followed by padded base64 (the standard alphabet, no spaces)";
            else if (length is < MinimumKeyBytes or > MaximumKeyBytes)
                problem = $"holds a key of {length} bytes";
            else
                return key[..length];
        }
        return null;
    }
}
