namespace ChangeTrail.Server.Hosting;

/// <summary>
/// The content root (appsettings.json, wwwroot) is the folder the server's own files are in, so a published
/// server started from any working directory finds its settings and its stylesheet. ASP.NET Core's default is
/// the working directory. A content root given as --contentRoot, ASPNETCORE_CONTENTROOT or DOTNET_CONTENTROOT
/// still wins. The data folder is not affected: a relative DataDirectory stays relative to the working directory.
/// </summary>
internal static class ContentRoot
{
    /// <summary>The content root to start with, or null when one is configured.</summary>
    public static string? Default(string[] args)
    {
        var configured = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        return string.IsNullOrEmpty(configured) ? AppContext.BaseDirectory : null;
    }
}
