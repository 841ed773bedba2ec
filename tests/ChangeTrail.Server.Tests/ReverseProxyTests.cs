using System.Net;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Behind a TLS-terminating proxy the server believes the proxies it is told to trust, and only them: a request
/// forwarded as https gets Secure cookies and HSTS, and its remote address is the client's.
/// </summary>
public sealed class ReverseProxyTests : IAsyncLifetime
{
    private const string Client = "203.0.113.7";
    private const string Proxy = "192.0.2.10";
    private const string ProxyInNetwork = "10.1.2.3";
    private const string Stranger = "198.51.100.20";
    private const string Hsts = "max-age=15552000"; // 180 days

    private readonly ProxyApp _behindProxy = new(trustProxies: true);
    private readonly ProxyApp _direct = new(trustProxies: false);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _behindProxy.InitializeAsync();
        await _direct.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _behindProxy.DisposeAsync();
        await _direct.DisposeAsync();
    }

    [Theory]
    [InlineData(Proxy)]
    [InlineData(ProxyInNetwork)]
    public async Task Through_a_trusted_proxy_a_request_forwarded_as_https_gets_secure_cookies_and_hsts_and_the_clients_address(string proxy)
    {
        var (form, signIn) = await SignInAsync(_behindProxy, proxy);

        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        Cookie(form, "changetrail.antiforgery").ShouldContain("; secure", Case.Insensitive);
        Cookie(signIn, "changetrail.session").ShouldContain("; secure", Case.Insensitive);
        foreach (var response in new[] { form, signIn })
        {
            response.Headers.GetValues("Strict-Transport-Security").ShouldBe([Hsts]);
            response.Headers.GetValues("X-Test-Scheme").ShouldBe(["https"]);
            response.Headers.GetValues("X-Test-Client").ShouldBe([Client], "the remote address is the client's, not the proxy's");
        }
    }

    [Fact]
    public async Task From_a_sender_not_trusted_the_forwarded_headers_are_ignored()
    {
        var (form, signIn) = await SignInAsync(_behindProxy, Stranger);

        signIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, "signing in still works, over http");
        Cookie(form, "changetrail.antiforgery").ShouldNotContain("secure", Case.Insensitive);
        Cookie(signIn, "changetrail.session").ShouldNotContain("secure", Case.Insensitive);
        foreach (var response in new[] { form, signIn })
        {
            response.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
            response.Headers.GetValues("X-Test-Scheme").ShouldBe(["http"]);
            response.Headers.GetValues("X-Test-Client").ShouldBe([Stranger]);
        }
    }

    [Fact]
    public async Task With_no_proxy_configured_nobody_is_believed_not_even_loopback()
    {
        var (form, signIn) = await SignInAsync(_direct, "127.0.0.1");

        Cookie(signIn, "changetrail.session").ShouldNotContain("secure", Case.Insensitive);
        form.Headers.Contains("Strict-Transport-Security").ShouldBeFalse();
        form.Headers.GetValues("X-Test-Scheme").ShouldBe(["http"]);
        form.Headers.GetValues("X-Test-Client").ShouldBe(["127.0.0.1"]);
    }

    [Theory]
    [InlineData("KnownProxies", "proxy.example.test")]
    [InlineData("KnownNetworks", "10.0.0.0")]
    [InlineData("KnownNetworks", "10.0.0.0/33")]
    public void An_address_that_is_not_one_stops_the_start_naming_the_setting(string list, string value)
    {
        var settings = new ForwardedHeadersSettings();
        if (list == "KnownProxies")
            settings.KnownProxies = [value];
        else
            settings.KnownNetworks = [value];
        Should.Throw<InvalidOperationException>(() => new ServiceCollection().AddChangeTrailReverseProxy(new ChangeTrailOptions { ForwardedHeaders = settings }))
            .Message.ShouldStartWith($"ChangeTrail:ForwardedHeaders:{list}:0 '{value}' is not");
    }

    /// <summary>
    /// Gets the sign-in form and posts it, from <paramref name="peer"/>, with the headers a TLS proxy adds. Cookies are
    /// carried by hand: a browser would not send a Secure one back over the http the test server speaks.
    /// </summary>
    private static async Task<(HttpResponseMessage Form, HttpResponseMessage SignIn)> SignInAsync(ProxyApp app, string peer)
    {
        // A real host name: HSTS is never sent for localhost.
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("http://changetrail.example.test"),
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        HttpRequestMessage Request(HttpMethod method)
        {
            var request = new HttpRequestMessage(method, "/login");
            request.Headers.Add(TestPeer.Header, peer);
            request.Headers.Add("X-Forwarded-For", Client);
            request.Headers.Add("X-Forwarded-Proto", "https");
            return request;
        }

        var form = await http.SendAsync(Request(HttpMethod.Get), Ct);
        var post = Request(HttpMethod.Post);
        post.Content = WebSession.Form(await form.Content.ReadAsStringAsync(Ct),
            ("Email", WebSession.AdminEmail), ("Password", WebSession.AdminPassword));
        post.Headers.Add("Cookie", Cookie(form, "changetrail.antiforgery").Split(';')[0]);
        return (form, await http.SendAsync(post, Ct));
    }

    private static string Cookie(HttpResponseMessage response, string name) =>
        response.Headers.GetValues("Set-Cookie").Where(c => c.StartsWith(name + "=", StringComparison.Ordinal)).ShouldHaveSingleItem();

    /// <summary>The server with the proxies it trusts, or none; the test says which address each request comes from.</summary>
    private sealed class ProxyApp(bool trustProxies) : ChangeTrailApp(TestProvider.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            if (trustProxies)
            {
                builder.UseSetting("ChangeTrail:ForwardedHeaders:KnownProxies:0", Proxy);
                builder.UseSetting("ChangeTrail:ForwardedHeaders:KnownNetworks:0", "10.1.0.0/16");
            }
            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestPeer>());
        }
    }
}
