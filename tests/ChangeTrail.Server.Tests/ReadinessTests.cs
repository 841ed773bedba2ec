using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChangeTrail.Persistence;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>/readyz is anonymous: when the database does not answer it says so by name, and the reason goes to the log only.</summary>
public sealed class ReadinessTests : IAsyncLifetime
{
    private readonly DatabaseGoesDownApp _app = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _app.InitializeAsync();

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task An_unreachable_database_is_a_503_with_its_status_name_and_no_exception_text()
    {
        var http = _app.Anonymous().Http;
        (await http.GetAsync("/readyz", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);

        _app.DatabaseDown = true;
        var watch = Stopwatch.StartNew();
        var response = await http.GetAsync("/readyz", Ct);
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("""{"status":"database-unreachable"}""");
        _app.Warnings.ShouldContain(w => w.Contains("Not ready") && w.Contains(_app.ClosedPort.ToString()),
            "the exception, which names the server it could not reach, is logged");
    }

    /// <summary>
    /// Starts on its database as usual; once <see cref="DatabaseDown"/> is set, requests get a PostgreSQL context for a
    /// port nobody listens on (the server cannot start without its database, so it has to go down afterwards).
    /// </summary>
    private sealed class DatabaseGoesDownApp() : ChangeTrailApp(TestProvider.Sqlite)
    {
        public bool DatabaseDown { get; set; }

        public int ClosedPort { get; } = ClosedLoopbackPort();

        public ConcurrentQueue<string> Warnings { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(new WarningRecorder(Warnings)));
            builder.ConfigureServices(services =>
            {
                var unreachable = new DbContextOptionsBuilder<PostgresChangeTrailDbContext>();
                unreachable.UseChangeTrailPostgres($"Host=127.0.0.1;Port={ClosedPort};Database=changetrail;Username=changetrail;Timeout=3");
                services.RemoveAll<ChangeTrailDbContext>();
                services.AddScoped<ChangeTrailDbContext>(provider => DatabaseDown
                    ? new PostgresChangeTrailDbContext(unreachable.Options)
                    : ActivatorUtilities.CreateInstance<SqliteChangeTrailDbContext>(provider));
            });
        }

        private static int ClosedLoopbackPort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again once disposed
        }
    }

    private sealed class WarningRecorder(ConcurrentQueue<string> warnings) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                warnings.Enqueue($"{formatter(state, exception)} {exception}");
        }

        public void Dispose()
        {
        }
    }
}
