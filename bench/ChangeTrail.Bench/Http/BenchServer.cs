using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChangeTrail.Bench.Http;

/// <summary>
/// The real server, in this process, on Kestrel on a free loopback port, in the Production environment as
/// <c>dotnet run --project src/ChangeTrail.Server</c> starts it, on a <see cref="BenchDatabase"/> (its folder holds the
/// data directory: keys, the setup code). Only the setup code is given, as <c>ChangeTrail__SetupCode</c> would give it.
/// Its log goes to stderr, warnings and up, so that the report on stdout stays clean.
/// </summary>
// Any type of the server's assembly names its entry point; the bench's own Program hides the server's.
internal sealed class BenchServer : WebApplicationFactory<ChangeTrail.Server.Hosting.Clock>
{
    public const string SetupCode = "bench-setup-code";

    private readonly BenchDatabase _database;
    private readonly string _dataDirectory;

    public BenchServer(BenchDatabase database, string dataDirectory)
    {
        _database = database;
        _dataDirectory = dataDirectory;
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>Where Kestrel listens, e.g. http://127.0.0.1:41234/. Starts the server on first use.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            return new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        // The server's own files (appsettings.json) are copied next to the bench's, as next to a published server's.
        builder.UseContentRoot(AppContext.BaseDirectory);
        builder.UseSetting("ChangeTrail:DataDirectory", _dataDirectory);
        builder.UseSetting("ChangeTrail:SetupCode", SetupCode);
        builder.UseSetting("ChangeTrail:Database:Provider", _database.Provider);
        builder.UseSetting("ConnectionStrings:ChangeTrail", _database.ConnectionString);
        builder.ConfigureLogging(logging => logging.ClearProviders()
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(LogLevel.Warning));
    }
}
