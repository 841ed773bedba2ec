using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChangeTrail.Cli.Configuration;

/// <summary>
/// What <c>changetrail login</c> keeps (<c>~/.config/changetrail/config.json</c>): the server, who signed in, and the
/// personal token with its id (so <c>logout</c> can revoke it) and expiry. After <c>logout</c> only the server and the
/// email stay, so the next <c>login</c> needs neither again. Never a password.
/// </summary>
internal sealed record CliConfig(string? Url, string? Token, Guid? TokenId, string? Email, DateTime? ExpiresAt)
{
    /// <summary>The same server and person, signed out.</summary>
    public CliConfig WithoutToken() => this with { Token = null, TokenId = null, ExpiresAt = null };
}

/// <summary>The configuration file could not be read or written; the message names the file and says what to do.</summary>
internal sealed class ConfigFileException(string message) : Exception(message);

/// <summary>
/// The CLI's configuration folder and its <c>config.json</c>. Written only as a whole: a temporary file beside it, readable
/// by its owner alone from the moment it exists (mode 600), then renamed over the old one, so no reader ever sees half a
/// file or a token another user can read.
/// </summary>
internal static class ConfigFile
{
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// <c>$XDG_CONFIG_HOME/changetrail</c>, else <c>~/.config/changetrail</c> (<c>HOME</c>, then <c>USERPROFILE</c>, then the
    /// user's profile folder): where every file the CLI keeps between runs lives.
    /// </summary>
    public static string Folder(IReadOnlyDictionary<string, string?> environment)
    {
        var config = environment.GetValueOrDefault("XDG_CONFIG_HOME");
        if (string.IsNullOrWhiteSpace(config))
        {
            var home = environment.GetValueOrDefault("HOME");
            if (string.IsNullOrWhiteSpace(home))
                home = environment.GetValueOrDefault("USERPROFILE");
            if (string.IsNullOrWhiteSpace(home))
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            config = Path.Combine(home, ".config");
        }
        return Path.Combine(config, "changetrail");
    }

    public static string DefaultPath(IReadOnlyDictionary<string, string?> environment) => Path.Combine(Folder(environment), FileName);

    /// <summary>The configuration at <paramref name="path"/>; null when there is no such file.</summary>
    /// <exception cref="ConfigFileException">The file exists but cannot be read, or is not a configuration file.</exception>
    public static CliConfig? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            var config = JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path), Json)
                ?? throw new JsonException("It holds null.");
            if (config.Url is not null && !Uri.TryCreate(config.Url, UriKind.Absolute, out _))
                throw new JsonException($"\"url\" is not an address: '{config.Url}'.");
            return config;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ConfigFileException($"cannot read the configuration file {path}: {exception.Message} Fix or delete it, " +
                "or run 'changetrail login' again.");
        }
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="config"/>, atomically, readable by its owner only.</summary>
    /// <exception cref="ConfigFileException">The folder or the file cannot be written.</exception>
    public static void Save(string path, CliConfig config)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            if (!Directory.Exists(folder))
            {
                if (OperatingSystem.IsWindows())
                    Directory.CreateDirectory(folder);
                else
                    Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            // Created with mode 600, not changed to it afterwards: there is no moment in which others could read the token.
            // On Windows the file inherits the profile folder's access list, which is the user's own.
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, config, Json);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ConfigFileException($"cannot write the configuration file {full}: {exception.Message}");
        }
        finally
        {
            // Gone after a successful rename; otherwise the partial file goes.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Nothing more can be done; the rename's error (if any) is the one reported.
            }
        }
    }
}
