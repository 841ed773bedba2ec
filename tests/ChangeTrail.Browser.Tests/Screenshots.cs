using Microsoft.Playwright;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// Pictures of the main screens, for people reviewing a change to the UI: artifacts/screenshots/ (ignored by
/// git, kept by CI), and the change detail also as docs/images/change-detail.png, which the README shows.
/// </summary>
public static class Screenshots
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Folder { get; } = Path.Combine(RepositoryRoot, "artifacts", "screenshots");

    public static async Task<string> SaveAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Copies a screenshot into docs/images/, where the documentation links it.</summary>
    public static void Publish(string screenshot, string name)
    {
        var images = Path.Combine(RepositoryRoot, "docs", "images");
        Directory.CreateDirectory(images);
        File.Copy(screenshot, Path.Combine(images, name), overwrite: true);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ChangeTrail.slnx")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No ChangeTrail.slnx above {AppContext.BaseDirectory}.");
    }
}
