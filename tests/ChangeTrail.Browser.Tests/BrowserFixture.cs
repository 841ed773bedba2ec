using ChangeTrail.Testing;
using Microsoft.Playwright;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// One server and one Chromium shared by the tests of a class; each test opens its own browser context
/// (its own cookies), so tests stay independent while paying for the browser and the server only once.
/// </summary>
public abstract class BrowserFixture(bool setUpOnStart) : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public KestrelApp App { get; } = new(setUpOnStart);

    public Uri Address { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await App.InitializeAsync();
        App.StartServer();
        Address = App.Address;
        if (!Chromium.IsInstalled)
            return; // each test then skips (or fails on CI) through Chromium.Require
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(Chromium.LaunchOptions);
    }

    /// <summary>A fresh context: no cookies, a desktop-sized viewport, UTC like the forms.</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        Chromium.Require();
        var context = await _browser!.NewContextAsync(new()
        {
            BaseURL = Address.ToString(),
            ViewportSize = new() { Width = 1280, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(20_000);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A server set up with a first admin (and its API token) before the tests start.</summary>
public sealed class SetUpServer() : BrowserFixture(setUpOnStart: true);

/// <summary>A server with no users at all: first-run setup is still to be done.</summary>
public sealed class EmptyServer() : BrowserFixture(setUpOnStart: false);
