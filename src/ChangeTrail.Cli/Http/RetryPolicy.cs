using System.Globalization;
using System.Net;

namespace ChangeTrail.Cli.Http;

/// <summary>
/// How often, and after how long, a request is sent again when no answer came: the connection failed or broke off, the
/// server did not answer in time, or a proxy in front of it said it was unavailable (502, 503, 504). Never after an
/// answer of the server's own rules (any other 4xx or 5xx): a denial asked again is still a denial, and a 500 may have
/// done half of something. POSTs are sent with one <c>Idempotency-Key</c> for all their attempts, so a retry of a request
/// that did arrive returns the first answer instead of recording twice.
/// </summary>
/// <param name="Retries">Attempts after the first; 0 sends each request once.</param>
/// <param name="FirstDelay">The pause before the first retry; it doubles before each next one, give or take a quarter (jitter).</param>
internal sealed record RetryPolicy(int Retries, TimeSpan FirstDelay)
{
    public const string RetriesVariable = "CHANGETRAIL_RETRIES";
    public const int DefaultRetries = 4;
    public const int MaxRetries = 20;
    public static readonly TimeSpan DefaultFirstDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Each request sent once.</summary>
    public static RetryPolicy None { get; } = new(0, TimeSpan.Zero);

    public int Attempts => Retries + 1;

    /// <summary>The pause after failed attempt <paramref name="attempt"/> (1-based): the first delay doubled per attempt, ±25 %.</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var nominal = FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 16));
        // Jitter, so that many pipelines cut off by the same outage do not all come back in the same instant.
        return TimeSpan.FromMilliseconds(nominal * (0.75 + (Random.Shared.NextDouble() * 0.5)));
    }

    /// <summary>Statuses that say "no answer from the server itself": a gateway or load balancer in front of it answered.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>
    /// The number of retries from <c>--retries</c>, else <c>CHANGETRAIL_RETRIES</c>, else <see cref="DefaultRetries"/>; null
    /// (with <paramref name="problem"/>) when the variable is not a number from 0 to <see cref="MaxRetries"/>.
    /// </summary>
    public static RetryPolicy? Resolve(int? flag, string? variable, out string? problem)
    {
        problem = null;
        if (flag is { } retries)
            return new RetryPolicy(retries, DefaultFirstDelay);
        if (string.IsNullOrWhiteSpace(variable))
            return new RetryPolicy(DefaultRetries, DefaultFirstDelay);
        if (int.TryParse(variable.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed <= MaxRetries)
            return new RetryPolicy(parsed, DefaultFirstDelay);
        problem = $"{RetriesVariable}='{variable}' is not a number of retries from 0 to {MaxRetries}.";
        return null;
    }
}
