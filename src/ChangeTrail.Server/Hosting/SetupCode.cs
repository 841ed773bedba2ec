using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Hosting;

/// <summary>
/// The one-time code that authorises first-run setup, so that whoever reaches a fresh server first
/// does not become its administrator merely by being first. Configured, or generated into the data folder.
/// </summary>
public sealed class SetupCode(IOptions<ChangeTrailOptions> options, ILogger<SetupCode> logger)
{
    /// <summary>The longest code <c>POST /setup</c> takes, as long as a password; a configured code must fit it.</summary>
    public const int MaxLength = Features.Users.Identities.PasswordMaxLength;

    private readonly Lazy<string> _code = new(() => Resolve(options.Value, logger));

    public string FilePath => Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "setup-code");

    public bool Matches(string? candidate) =>
        candidate is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate.Trim()), Encoding.UTF8.GetBytes(_code.Value));

    /// <summary>Setup is done: the code has served its one purpose, so it should not lie about on disk.</summary>
    public void Consume()
    {
        if (File.Exists(FilePath))
            File.Delete(FilePath);
    }

    /// <summary>Makes sure a code exists and tells the operator where to find it.</summary>
    public void Announce() => _ = _code.Value;

    private static string Resolve(ChangeTrailOptions options, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(options.SetupCode))
        {
            var configured = options.SetupCode.Trim();
            return configured.Length <= MaxLength
                ? configured
                : throw new InvalidOperationException($"ChangeTrail:SetupCode has {configured.Length} characters; at most {MaxLength} can be typed in.");
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "setup-code");
        // Whoever reads the code can make themself the administrator: it is written for the server's user only.
        if (!File.Exists(path))
            SecretFile.TryCreate(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + "\n");
        else if (SecretFile.IsSharedWithOthers(path))
            File.SetUnixFileMode(path, SecretFile.OwnerOnly); // written by an earlier version, with the default mode
        logger.LogWarning("No administrator exists yet. Finish setup with the one-time code in {SetupCodeFile}.", path);
        return File.ReadAllText(path).Trim();
    }
}
