using System.Net.Http.Headers;
using ChangeTrail.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ChangeTrail.Testing;

public enum TestProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real server, started in-process on a fresh database of the chosen provider, set up with a first
/// admin. Time is a <see cref="FakeTimeProvider"/> starting at <paramref name="start"/>, by default the real now, so
/// tests can move it forward.
/// </summary>
public class ChangeTrailApp(TestProvider provider, DateTimeOffset? start = null) : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SetupCode = "test-setup-code";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "changetrail-tests", Guid.NewGuid().ToString("N"));
    private readonly string _postgresDatabase = $"changetrail_test_{Guid.NewGuid():N}";
    private string? _connectionString;

    public TestProvider Provider { get; } = provider;

    public FakeTimeProvider Time { get; } = new(start ?? DateTimeOffset.UtcNow);

    /// <summary>The first admin's token (every scope), created by setup.</summary>
    public string AdminToken { get; private set; } = "";

    public Guid AdminId { get; private set; }

    public bool Available { get; private set; }

    public string DataDirectory => _dataDirectory;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        if (Provider == TestProvider.Postgres)
        {
            if (TestDatabases.PostgresAdminConnectionString is null)
                return; // each test then skips (or fails on CI) through TestDatabases.RequirePostgres
            _connectionString = await TestDatabases.CreatePostgresDatabaseAsync(_postgresDatabase);
        }
        Available = true;
        if (SetUpOnStart)
        {
            var setup = await Anonymous().PostJsonAsync<SetupResponse>("/api/v1/setup",
                new SetupRequest("admin@example.test", "First Admin", "a long enough password", SetupCode));
            AdminToken = setup.Token;
            AdminId = setup.UserId;
        }
    }

    /// <summary>False for tests of setup itself, which need a server without users.</summary>
    protected virtual bool SetUpOnStart => true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ChangeTrail:DataDirectory", _dataDirectory);
        builder.UseSetting("ChangeTrail:SetupCode", SetupCode);
        // The purge runs when a test asks (RetentionSchedule.RunOnceAsync), not whenever another test moves the clock on.
        builder.UseSetting("ChangeTrail:Retention:PurgeInterval", "00:00:00");
        // Likewise webhook deliveries are sent when a test asks (WebhookSender.RunOnceAsync).
        builder.UseSetting("ChangeTrail:Notifications:PollInterval", "00:00:00");
        builder.UseSetting("ChangeTrail:Database:Provider", Provider == TestProvider.Postgres ? "postgres" : "sqlite");
        if (_connectionString is not null)
            builder.UseSetting("ConnectionStrings:ChangeTrail", _connectionString);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
        });
    }

    /// <summary>A client with no credentials.</summary>
    public ApiClient Anonymous() => new(CreateClient());

    /// <summary>A client sending <paramref name="token"/> as its bearer token.</summary>
    public ApiClient As(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new ApiClient(client);
    }

    public ApiClient AsAdmin() => As(AdminToken);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Provider == TestProvider.Postgres && _connectionString is not null)
            await TestDatabases.DropPostgresDatabaseAsync(_postgresDatabase);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteApp() : ChangeTrailApp(TestProvider.Sqlite);

public sealed class PostgresApp() : ChangeTrailApp(TestProvider.Postgres);
