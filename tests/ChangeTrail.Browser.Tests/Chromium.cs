using ChangeTrail.Testing;
using Microsoft.Playwright;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// Debian's Chromium, driven by Playwright's bundled driver: nothing is downloaded. Locally a missing
/// browser skips the tests with a message; under CI=true it fails them, like a missing PostgreSQL.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public static BrowserTypeLaunchOptions LaunchOptions => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
        ],
    };

    /// <summary>Skips the calling test when Chromium is not installed, or fails it on CI.</summary>
    public static void Require()
    {
        if (IsInstalled)
            return;
        if (TestDatabases.IsCi)
            throw new InvalidOperationException($"{ExecutablePath} is missing, and CI=true requires the browser tests to run.");
        Assert.Skip($"{ExecutablePath} is missing; scripts/test.sh installs Debian's chromium package (or: apt-get install chromium).");
    }
}
