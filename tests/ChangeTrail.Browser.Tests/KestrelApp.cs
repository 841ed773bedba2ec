using System.Net;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The real server on a real socket (a free port on 127.0.0.1), so a browser can reach it; SQLite only.
/// It runs in the Production environment, as `dotnet run --project src/ChangeTrail.Server` starts it, so
/// the pages, the stylesheet and the script reach the browser the way they reach a person's.
/// </summary>
public sealed class KestrelApp : ChangeTrailApp
{
    private readonly bool _setUpOnStart;

    public KestrelApp(bool setUpOnStart) : base(TestProvider.Sqlite)
    {
        _setUpOnStart = setUpOnStart;
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
    }

    protected override bool SetUpOnStart => _setUpOnStart;

    protected override string EnvironmentName => Environments.Production;

    /// <summary>Where Kestrel listens, e.g. http://127.0.0.1:41234/. Valid once the server has started.</summary>
    public Uri Address => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
}
