namespace ChangeTrail.Server.Hosting;

/// <summary>The <c>ChangeTrail</c> configuration section (environment variables <c>ChangeTrail__...</c>).</summary>
public sealed class ChangeTrailOptions
{
    public const string Section = "ChangeTrail";

    /// <summary>Where the embedded database, the generated setup code and later the signing key live.</summary>
    public string DataDirectory { get; set; } = "data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>The one-time setup code; when absent, one is generated into <c>&lt;data&gt;/setup-code</c>.</summary>
    public string? SetupCode { get; set; }
}

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (the embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";
}
