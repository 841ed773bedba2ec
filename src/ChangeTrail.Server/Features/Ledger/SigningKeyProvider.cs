using ChangeTrail.Domain.Ledger.Checkpoints;
using ChangeTrail.Server.Hosting;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// The key that signs the ledger's checkpoints ("Keys" in ARCHITECTURE.md). Several instances must sign
/// with one key, so it comes from configuration (<c>ChangeTrail:Ledger:SigningKey</c>, or a file named by
/// <c>SigningKeyFile</c>); the embedded default generates one into the data folder on first start and
/// keeps it there. The verifier keys of earlier keys are published beside the current one, so a
/// checkpoint signed before a rotation still verifies. Resolved once, at start-up: a bad key stops the
/// server rather than the first checkpoint.
/// </summary>
public sealed class SigningKeyProvider : IDisposable
{
    public const string FileName = "ledger-signing-key";

    public SigningKeyProvider(IOptions<ChangeTrailOptions> options, ILogger<SigningKeyProvider> logger)
    {
        var settings = options.Value;
        var ledger = settings.Ledger;
        var configuredOrigin = string.IsNullOrWhiteSpace(ledger.Origin) ? null : ledger.Origin.Trim();
        if (configuredOrigin is not null && !SignedNote.IsValidKeyName(configuredOrigin))
            throw new InvalidOperationException(
                $"ChangeTrail:Ledger:Origin '{configuredOrigin}' is not a valid note key name: it must be non-empty, without spaces or '+'.");

        (Signer, Source) = Resolve(settings, configuredOrigin ?? LedgerOptions.DefaultOrigin, logger);
        Origin = configuredOrigin ?? Signer.Name;
        if (!string.Equals(Signer.Name, Origin, StringComparison.Ordinal))
        {
            var name = Signer.Name;
            Signer.Dispose();
            throw new InvalidOperationException(
                $"The ledger signing key from {Source} is named '{name}', but ChangeTrail:Ledger:Origin is '{Origin}'. Checkpoints are " +
                "signed under the log's origin: set the origin to the key's name, or give a key of that name (publish the old " +
                "key's verifier key in ChangeTrail:Ledger:PreviousVerifierKeys).");
        }

        var previous = new List<NoteVerifier>();
        foreach (var (text, i) in ledger.PreviousVerifierKeys.Select((k, i) => (k?.Trim(), i)))
        {
            var parsed = NoteVerifier.Parse(text);
            if (!parsed.IsSuccess)
                throw new InvalidOperationException($"ChangeTrail:Ledger:PreviousVerifierKeys:{i} is not a verifier key: {parsed.Detail}");
            if (!parsed.Value.IsSameKey(Signer.Verifier) && !previous.Any(p => p.IsSameKey(parsed.Value)))
                previous.Add(parsed.Value);
        }
        PreviousVerifiers = previous;
        Verifiers = [Signer.Verifier, .. previous];
        PublicKeys = string.Concat(Verifiers.Select(v => v.VerifierKey + "\n"));
    }

    /// <summary>The log's origin: the first line of every checkpoint and the signing key's name.</summary>
    public string Origin { get; }

    public NoteSigner Signer { get; }

    /// <summary>Where the key came from, for messages: a setting or a file path, never the key.</summary>
    public string Source { get; }

    public NoteVerifier Verifier => Signer.Verifier;

    /// <summary>Keys that signed earlier checkpoints, still published.</summary>
    public IReadOnlyList<NoteVerifier> PreviousVerifiers { get; }

    /// <summary>The current verifier first, then the previous ones.</summary>
    public IReadOnlyList<NoteVerifier> Verifiers { get; }

    /// <summary>GET /ledger/public-key: one verifier key a line, the current one first.</summary>
    public string PublicKeys { get; }

    public string Sign(Checkpoint checkpoint) => CheckpointNote.Sign(checkpoint, Signer);

    public void Dispose() => Signer.Dispose();

    private static (NoteSigner Signer, string Source) Resolve(ChangeTrailOptions settings, string origin, ILogger logger)
    {
        var ledger = settings.Ledger;
        if (!string.IsNullOrWhiteSpace(ledger.SigningKey))
            return (Parse(ledger.SigningKey, "ChangeTrail:Ledger:SigningKey"), "ChangeTrail:Ledger:SigningKey");
        if (!string.IsNullOrWhiteSpace(ledger.SigningKeyFile))
        {
            var file = Path.GetFullPath(ledger.SigningKeyFile);
            if (!File.Exists(file))
                throw new InvalidOperationException($"ChangeTrail:Ledger:SigningKeyFile names {file}, which does not exist.");
            return (Parse(File.ReadAllText(file), file), file);
        }

        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
            Generate(path, origin, logger);
        else if (SecretFile.IsSharedWithOthers(path))
            logger.LogWarning("The ledger signing key {KeyFile} is readable by other users; restrict it with chmod 600.", path);
        return (Parse(File.ReadAllText(path), path), path);
    }

    /// <summary>Writes a new key beside the database, readable by its owner only (<see cref="SecretFile"/>).</summary>
    private static void Generate(string path, string origin, ILogger logger)
    {
        using var signer = NoteSigner.Generate(origin);
        // If another process generated one first, theirs is the key.
        if (SecretFile.TryCreate(path, signer.ExportSignerKey() + "\n"))
            logger.LogWarning(
                "Generated the ledger's checkpoint signing key in {KeyFile}; its public key is {VerifierKey}. Back the file up: " +
                "checkpoints are verified with this key. Several instances need it configured (ChangeTrail__Ledger__SigningKey).",
                path, signer.Verifier.VerifierKey);
    }

    private static NoteSigner Parse(string text, string source)
    {
        var parsed = NoteSigner.Parse(text.Trim());
        return parsed.IsSuccess
            ? parsed.Value
            : throw new InvalidOperationException($"The ledger signing key in {source} is not a signer key (PRIVATE+KEY+...): {parsed.Detail}");
    }
}
