using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace ChangeTrail.Server.Hosting;

/// <summary>
/// A secret the server generates into its data folder (the ledger signing key, the key that encrypts the Data
/// Protection keys, the setup code): readable by its owner only, and never seen half-written.
/// </summary>
public static class SecretFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> unless a file is there already, and says whether
    /// this call wrote it. The content goes to a temporary file created with mode 600 and is then moved into place,
    /// so the secret is never readable by others, not even for a moment, and a second process starting at the same
    /// moment reads a whole secret, never half of one: whoever moves theirs first wins, the other keeps theirs.
    /// </summary>
    public static bool TryCreate(string path, string content)
    {
        var temporary = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            create.UnixCreateMode = OwnerOnly;
        using (var stream = new FileStream(temporary, create))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process wrote one first; theirs is the secret.
            File.Delete(temporary);
            return false;
        }
    }

    /// <summary>True when users other than the owner may read or write the file (always false on Windows, which has no modes).</summary>
    [UnsupportedOSPlatformGuard("windows")]
    public static bool IsSharedWithOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(OwnerOnly | UnixFileMode.UserExecute)) != 0;
}
