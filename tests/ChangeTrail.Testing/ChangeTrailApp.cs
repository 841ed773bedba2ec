using System.Net.Http.Headers;
using ChangeTrail.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
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

    /// <summary>The app whose database and data folder this one starts on again, which owns them; null for a fresh one.</summary>
    private readonly ChangeTrailApp? _restarting;

    /// <summary>
    /// <paramref name="previous"/>'s server started again: the same database, data folder (keys, the remembered checkpoint)
    /// and clock, as after a restart, or as a second instance. It sets nothing up and removes nothing when disposed.
    /// </summary>
    protected ChangeTrailApp(ChangeTrailApp previous) : this(previous.Provider)
    {
        _restarting = previous;
        _dataDirectory = previous._dataDirectory;
        _postgresDatabase = previous._postgresDatabase;
        Time = previous.Time;
    }

    public TestProvider Provider { get; } = provider;

    public FakeTimeProvider Time { get; } = new(start ?? WithSubMicrosecondRemainder(DateTimeOffset.UtcNow));

    /// <summary>
    /// The real now with 700 ns beyond the microsecond, always: the server keeps instants to the microsecond (what PostgreSQL
    /// keeps), so a time taken from the clock and stored without truncation would differ from one read back. With the clock
    /// this fine on every run, such a slip fails every run instead of now and then, depending on which test moved the clock last.
    /// </summary>
    private static DateTimeOffset WithSubMicrosecondRemainder(DateTimeOffset now) => now.AddTicks(7 - now.Ticks % 10);

    public const string AdminEmail = "admin@example.test";
    public const string AdminPassword = "a long enough password";

    /// <summary>
    /// The first admin's token (every scope): setup's, then, once the fake clock has passed its 30 days, a new one the
    /// admin issues themself with their password, as a person whose token expired would.
    /// </summary>
    public string AdminToken
    {
        get
        {
            if (Time.GetUtcNow() >= _adminTokenRenewAt)
            {
                var renewed = Anonymous().PostJsonAsync<CreatedTokenResponse>("/api/v1/auth/tokens",
                    new PersonalTokenRequest(AdminEmail, AdminPassword, "admin (renewed)", Domain.Identity.Scopes.All, null)).GetAwaiter().GetResult();
                _adminToken = renewed.Token;
                _adminTokenRenewAt = renewed.ExpiresAt!.Value.AddDays(-1);
            }
            return _adminToken;
        }
    }

    private string _adminToken = "";
    private DateTimeOffset _adminTokenRenewAt = DateTimeOffset.MaxValue;

    public Guid AdminId { get; private set; }

    public bool Available { get; private set; }

    public string DataDirectory => _dataDirectory;

    /// <summary>The database this app's server uses, for a second server (another instance) sharing it.</summary>
    public string DatabaseConnectionString => _connectionString ?? $"Data Source={Path.Combine(_dataDirectory, "changetrail.db")}";

    public async ValueTask InitializeAsync()
    {
        if (_restarting is not null)
        {
            _connectionString = _restarting._connectionString;
            _adminToken = _restarting.AdminToken;
            _adminTokenRenewAt = _restarting._adminTokenRenewAt;
            AdminId = _restarting.AdminId;
            Available = _restarting.Available;
            return;
        }
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
                new SetupRequest(AdminEmail, "First Admin", AdminPassword, SetupCode));
            _adminToken = setup.Token;
            _adminTokenRenewAt = Time.GetUtcNow().AddDays(29);
            AdminId = setup.UserId;
        }
    }

    /// <summary>False for tests of setup itself, which need a server without users.</summary>
    protected virtual bool SetUpOnStart => true;

    /// <summary>Settings of a derived app (tighter rate limits, say), applied after the defaults above.</summary>
    protected virtual void ConfigureTestServices(IWebHostBuilder builder)
    {
    }

    /// <summary>Adds <paramref name="interceptor"/> to the database context of this app's provider: how a test forces a race or a fault.</summary>
    protected void AddDbInterceptor(IWebHostBuilder builder, Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor interceptor) =>
        builder.ConfigureServices(services =>
        {
            if (Provider == TestProvider.Postgres)
                services.ConfigureDbContext<Persistence.PostgresChangeTrailDbContext>(o => o.AddInterceptors(interceptor));
            else
                services.ConfigureDbContext<Persistence.SqliteChangeTrailDbContext>(o => o.AddInterceptors(interceptor));
        });

    /// <summary>The hosting environment the server runs in.</summary>
    protected virtual string EnvironmentName => "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ChangeTrail:DataDirectory", _dataDirectory);
        builder.UseSetting("ChangeTrail:SetupCode", SetupCode);
        // The purge runs when a test asks (RetentionSchedule.RunOnceAsync), not whenever another test moves the clock on.
        builder.UseSetting("ChangeTrail:Retention:PurgeInterval", "00:00:00");
        // Likewise webhook deliveries are sent when a test asks (WebhookSender.RunOnceAsync).
        builder.UseSetting("ChangeTrail:Notifications:PollInterval", "00:00:00");
        builder.UseSetting("ChangeTrail:Notifications:DeadlineInterval", "00:00:00");
        // Every test client comes from the same address: the per-client limits would throttle the suite itself. The
        // tests of the limits set their own.
        builder.UseSetting("ChangeTrail:RateLimits:SignIn:PermitLimit", "100000");
        builder.UseSetting("ChangeTrail:RateLimits:Setup:PermitLimit", "100000");
        builder.UseSetting("ChangeTrail:RateLimits:Tokens:PermitLimit", "100000");
        // Checkpoints are signed when a test asks: a one-minute schedule on a fake clock that tests move by a year would
        // tick half a million times (LedgerApiTests starts an app with it on).
        builder.UseSetting("ChangeTrail:Ledger:CheckpointInterval", "00:00:00");
        // Tests move the clock over years (retention); people's tokens would expire under them. The cap's own tests set it.
        builder.UseSetting("ChangeTrail:Tokens:MaxLifetime", "3650.00:00:00");
        builder.UseSetting("ChangeTrail:Database:Provider", Provider == TestProvider.Postgres ? "postgres" : "sqlite");
        if (_connectionString is not null)
            builder.UseSetting("ConnectionStrings:ChangeTrail", _connectionString);
        // Warnings and errors only: appsettings.json's Information for the rest would print every start of the hundreds of
        // servers a run makes, and a failing run's log would bury its failure under them.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            // The same PBKDF2 as production, with fewer rounds: a suite that creates thousands of people would otherwise
            // spend minutes hashing. Nothing tested depends on the work factor.
            services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
        });
        ConfigureTestServices(builder);
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

    /// <summary>A checkpoint of the log as it is now, signed on demand as an Admin may (POST /ledger/checkpoint): its note.</summary>
    public async Task<string> SignCheckpointAsync()
    {
        var response = await AsAdmin().PostAsync("/api/v1/ledger/checkpoint");
        var note = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? note : throw new HttpRequestException($"{(int)response.StatusCode} signing a checkpoint: {note}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_restarting is not null)
        {
            GC.SuppressFinalize(this);
            return;
        }
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
