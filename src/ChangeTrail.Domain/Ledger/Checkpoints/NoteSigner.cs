using System.Security.Cryptography;
using NSec.Cryptography;

namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>
/// A private Ed25519 key with its name and key ID: signs note texts.
/// Its text form (the "signer key", a secret) is
/// <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(0x01 || 32-byte seed)&gt;</c>,
/// as in golang.org/x/mod/sumdb/note. Dispose it to wipe the key from memory.
/// </summary>
public sealed class NoteSigner : IDisposable
{
    private const string PrivateKeyPrefix = "PRIVATE+KEY+";

    private readonly Key _key;

    private NoteSigner(string name, Key key)
    {
        _key = key;
        Verifier = NoteVerifier.FromPublicKey(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>The key name, as it appears in signature lines (conventionally the log's origin).</summary>
    public string Name => Verifier.Name;

    /// <summary>The key ID, computed from the name and the public key.</summary>
    public uint KeyId => Verifier.KeyId;

    /// <summary>The matching public key, to publish and to give to verifiers.</summary>
    public NoteVerifier Verifier { get; }

    /// <summary>Generates a new Ed25519 key named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains a space, a plus sign or a control character.</exception>
    public static NoteSigner Generate(string name)
    {
        EnsureValidName(name);
        var parameters = Exportable();
        var key = Key.Create(SignatureAlgorithm.Ed25519, in parameters);
        return Own(name, key);
    }

    /// <summary>Builds a signer from a key name and a raw 32-byte Ed25519 private key seed (RFC 8032).</summary>
    /// <exception cref="ArgumentException">The name is invalid or the seed is not 32 bytes.</exception>
    public static NoteSigner FromSeed(string name, ReadOnlySpan<byte> ed25519Seed)
    {
        EnsureValidName(name);
        var parameters = Exportable();
        if (ed25519Seed.Length != NoteFormat.Ed25519SeedSize
            || !Key.TryImport(SignatureAlgorithm.Ed25519, ed25519Seed, KeyBlobFormat.RawPrivateKey, out var key, in parameters)
            || key is null)
            throw new ArgumentException("An Ed25519 private key seed is 32 bytes.", nameof(ed25519Seed));
        return Own(name, key);
    }

    /// <summary>Reads a signer key string <c>PRIVATE+KEY+name+id+data</c>. Never throws on bad input.</summary>
    public static Outcome<NoteSigner, NoteKeyError> Parse(string? signerKey)
    {
        if (string.IsNullOrEmpty(signerKey) || !signerKey.StartsWith(PrivateKeyPrefix, StringComparison.Ordinal))
            return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.Malformed, "A signer key starts with PRIVATE+KEY+.");
        var (name, rest) = NoteFormat.Chop(signerKey[PrivateKeyPrefix.Length..], '+');
        var (idHex, keyBase64) = NoteFormat.Chop(rest, '+');
        if (!NoteFormat.IsValidKeyName(name))
            return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.Malformed, "The key name is empty or contains a space, a plus sign or a control character.");
        if (!NoteFormat.TryParseKeyId(idHex, out var keyId))
            return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.Malformed, "The key ID is not eight hexadecimal digits.");
        if (!NoteFormat.TryDecodeBase64(keyBase64, out var typedSeed))
            return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.Malformed, "The key data is not canonical base64.");
        try
        {
            if (typedSeed[0] != NoteFormat.Ed25519Type)
                return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.UnsupportedAlgorithm, $"Signature type 0x{typedSeed[0]:x2} is not supported; only 0x01 (Ed25519) is.");
            var parameters = Exportable();
            if (typedSeed.Length != 1 + NoteFormat.Ed25519SeedSize
                || !Key.TryImport(SignatureAlgorithm.Ed25519, typedSeed.AsSpan(1), KeyBlobFormat.RawPrivateKey, out var key, in parameters)
                || key is null)
                return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.InvalidKey, "An Ed25519 private key seed is 32 bytes.");
            var signer = Own(name, key);
            if (signer.KeyId != keyId)
            {
                var expected = signer.Verifier.KeyIdHex;
                signer.Dispose();
                return Outcome<NoteSigner, NoteKeyError>.Failure(NoteKeyError.KeyIdMismatch,
                    $"The key ID {idHex} does not match the name and the public key of this private key (expected {expected}).");
            }
            return signer;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(typedSeed);
        }
    }

    /// <summary>
    /// The secret signer key string <c>PRIVATE+KEY+&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(0x01 || seed)&gt;</c>.
    /// Anyone holding it can sign as this key: store it like a password.
    /// </summary>
    public string ExportSignerKey()
    {
        var seed = _key.Export(KeyBlobFormat.RawPrivateKey);
        byte[] typedSeed = [NoteFormat.Ed25519Type, .. seed];
        try
        {
            return $"{PrivateKeyPrefix}{Name}+{Verifier.KeyIdHex}+{Convert.ToBase64String(typedSeed)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(typedSeed);
        }
    }

    /// <summary>The raw Ed25519 signature (64 bytes) of <paramref name="message"/>.</summary>
    public byte[] SignBytes(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    /// <summary>Signs <paramref name="text"/> (which must end in a newline) with this key alone: the signed note.</summary>
    public string Sign(string text) => SignedNote.Sign(text, this);

    /// <summary>Never prints the private key.</summary>
    public override string ToString() => $"NoteSigner {Name}+{Verifier.KeyIdHex}";

    public void Dispose() => _key.Dispose();

    /// <summary>The private key must be exportable so <see cref="ExportSignerKey"/> can write it to the data folder.</summary>
    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static void EnsureValidName(string name)
    {
        if (!NoteFormat.IsValidKeyName(name))
            throw new ArgumentException("A key name must be non-empty and contain no spaces, plus signs or control characters.", nameof(name));
    }

    private static NoteSigner Own(string name, Key key)
    {
        try
        {
            return new NoteSigner(name, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
