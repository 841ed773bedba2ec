using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ChangeTrail.Server.Hosting;

/// <summary>
/// Per-client rate limits (ASP.NET Core's rate limiter) on the calls that guess or mint credentials: sign-in, setup and
/// token creation. A client over its limit is answered 429 with <c>Retry-After</c>; the status-code pages turn that into
/// problem+json for the API and a page in words for the browser. Only the calls that act count: showing the sign-in
/// form does not.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "sign-in";
    public const string Setup = "setup";
    public const string Tokens = "tokens";

    /// <summary>The client as the limits and the lockout see it: its address, after trusted forwarded headers.</summary>
    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public static IServiceCollection AddChangeTrailRateLimits(this IServiceCollection services, RateLimitOptions limits) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter =
                        ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(SignIn, http => PerClient(http, limits.SignIn));
            limiter.AddPolicy(Setup, http => PerClient(http, limits.Setup));
            limiter.AddPolicy(Tokens, http => PerClient(http, limits.Tokens));
        });

    private static RateLimitPartition<string> PerClient(HttpContext http, ClientLimit limit) =>
        HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)
            ? RateLimitPartition.GetNoLimiter("read")
            : RateLimitPartition.GetFixedWindowLimiter(ClientOf(http), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit,
                Window = limit.Window,
                QueueLimit = 0,
            });
}
