using System.Collections.Concurrent;
using System.Text.Json;
using ChangeTrail.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChangeTrail.Cli.Tests;

/// <summary>One request as <see cref="StubServer"/> received it.</summary>
public sealed record StubRequest(string Method, string Path, string? IdempotencyKey, string? ContentType, byte[] Body);

/// <summary>
/// A real HTTP server on a loopback port (Kestrel), answering each path from a script: drop the connection, a status, a
/// JSON body. What the ChangeTrail server cannot be made to do on purpose (break a connection, be a failing gateway),
/// so the CLI's retries are tested over real sockets rather than against a mock.
/// </summary>
public sealed class StubServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpContext, Task>>> _scripts = new();
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _last = new();
    private readonly ConcurrentQueue<StubRequest> _received = new();

    private StubServer(WebApplication app) => _app = app;

    /// <summary>The server's address, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<StubRequest> Received => [.. _received];

    public static async Task<StubServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new StubServer(app);
        app.Run(stub.AnswerAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        stub.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return stub;
    }

    /// <summary>Answers <c>METHOD /path</c> with <paramref name="replies"/> in turn; the last one again once they are used up.</summary>
    public StubServer On(string request, params Func<HttpContext, Task>[] replies)
    {
        _scripts[request] = new ConcurrentQueue<Func<HttpContext, Task>>(replies);
        _last[request] = replies[^1];
        return this;
    }

    /// <summary>Closes the connection without an answer, as a server that crashed or a proxy that gave up would.</summary>
    public static Func<HttpContext, Task> Drop => context =>
    {
        context.Abort();
        return Task.CompletedTask;
    };

    public static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    };

    public static Func<HttpContext, Task> Json<T>(int status, T body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, ApiJson.Options));
    };

    /// <summary>An RFC 9457 problem, as the ChangeTrail server writes its refusals.</summary>
    public static Func<HttpContext, Task> Problem(int status, string type, string title, string detail) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { type = $"/problems/{type}", title, status, detail }));
    };

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var request = $"{context.Request.Method} {context.Request.Path}";
        _received.Enqueue(new StubRequest(context.Request.Method, context.Request.Path, context.Request.Headers["Idempotency-Key"].FirstOrDefault(),
            context.Request.ContentType, body.ToArray()));
        if (!_scripts.TryGetValue(request, out var script))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await (script.TryDequeue(out var reply) ? reply : _last[request])(context);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
