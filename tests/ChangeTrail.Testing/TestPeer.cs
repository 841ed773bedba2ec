using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace ChangeTrail.Testing;

/// <summary>
/// The test server has no socket, so no peer: this sets the address a test names in <see cref="Header"/>, before the
/// app's own middleware (forwarded headers, rate limits, sign-in throttling all see it), and reports the address and
/// scheme the app ended up with in <c>X-Test-Client</c> and <c>X-Test-Scheme</c>.
/// </summary>
public sealed class TestPeer : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, nextMiddleware) =>
        {
            if (http.Request.Headers.TryGetValue(Header, out var peer))
                http.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
            http.Response.OnStarting(() =>
            {
                http.Response.Headers["X-Test-Client"] = http.Connection.RemoteIpAddress?.ToString();
                http.Response.Headers["X-Test-Scheme"] = http.Request.Scheme;
                return Task.CompletedTask;
            });
            await nextMiddleware(http);
        });
        next(app);
    };
}
