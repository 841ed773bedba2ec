using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace ChangeTrail.Server.Hosting;

/// <summary>
/// Behind a reverse proxy that terminates TLS: the proxies named in <c>ChangeTrail:ForwardedHeaders</c> are believed
/// about the client's address and scheme (<c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>), so the request is https
/// as the browser sent it, its cookies are <c>Secure</c> (they follow the request's scheme), HSTS is sent, and the
/// remote address is the client's. Nobody is believed by default: a direct install is unchanged.
/// </summary>
public static class ReverseProxy
{
    public const string Section = "ChangeTrail:ForwardedHeaders";

    public static IServiceCollection AddChangeTrailReverseProxy(this IServiceCollection services, ChangeTrailOptions options)
    {
        // Parsed here, so a bad address stops the start and names its setting.
        var proxies = options.ForwardedHeaders.KnownProxies.Select((text, i) => ParseAddress(text, i)).ToList();
        var networks = options.ForwardedHeaders.KnownNetworks.Select((text, i) => ParseNetwork(text, i)).ToList();
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // The framework's defaults trust loopback, and with both lists empty it believes every sender:
            // here only what is configured is trusted, and with nothing configured no header is read at all.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            proxies.ForEach(forwarded.KnownProxies.Add);
            networks.ForEach(forwarded.KnownIPNetworks.Add);
            forwarded.ForwardedHeaders = proxies.Count + networks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
        });
        // Sent by UseHsts on https responses only, and never for localhost; without includeSubDomains, which would
        // bind every other host of the domain too.
        services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(180));
        return services;
    }

    private static IPAddress ParseAddress(string? text, int i) =>
        IPAddress.TryParse(text?.Trim(), out var address)
            ? address
            : throw new InvalidOperationException($"{Section}:KnownProxies:{i} '{text}' is not an IP address (e.g. 10.0.0.5 or ::1).");

    private static IPNetwork ParseNetwork(string? text, int i) =>
        IPNetwork.TryParse(text?.Trim(), out var network)
            ? network
            : throw new InvalidOperationException(
                $"{Section}:KnownNetworks:{i} '{text}' is not a network in CIDR notation (e.g. 10.0.0.0/8).");
}
