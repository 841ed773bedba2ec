using NSec.Cryptography;

namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>
/// A public Ed25519 key with its name and key ID: verifies signatures in signed notes.
/// Its text form (the "verifier key") is <c>&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(0x01 || public key)&gt;</c>,
/// as in golang.org/x/mod/sumdb/note.
/// </summary>
public sealed class NoteVerifier
{
    private readonly PublicKey _publicKey;
    private readonly byte[] _publicKeyBytes;

    private NoteVerifier(string name, PublicKey publicKey, byte[] publicKeyBytes)
    {
        Name = name;
        _publicKey = publicKey;
        _publicKeyBytes = publicKeyBytes;
        KeyId = NoteFormat.ComputeKeyId(name, TypedPublicKey());
        VerifierKey = $"{name}+{NoteFormat.FormatKeyId(KeyId)}+{Convert.ToBase64String(TypedPublicKey())}";
    }

    /// <summary>The key name, as it appears in signature lines (conventionally the log's origin).</summary>
    public string Name { get; }

    /// <summary>First four bytes, big-endian, of SHA-256(name || 0x0A || 0x01 || public key).</summary>
    public uint KeyId { get; }

    /// <summary><see cref="KeyId"/> as eight lower-case hexadecimal digits.</summary>
    public string KeyIdHex => NoteFormat.FormatKeyId(KeyId);

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKeyBytes;

    /// <summary>The verifier key string <c>&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(0x01 || public key)&gt;</c>, safe to publish.</summary>
    public string VerifierKey { get; }

    /// <summary>Builds a verifier from a key name and a raw 32-byte Ed25519 public key.</summary>
    /// <exception cref="ArgumentException">The name is not a valid key name, or the key is not 32 bytes.</exception>
    public static NoteVerifier FromPublicKey(string name, ReadOnlySpan<byte> ed25519PublicKey)
    {
        if (!NoteFormat.IsValidKeyName(name))
            throw new ArgumentException("A key name must be non-empty and contain no spaces, plus signs or control characters.", nameof(name));
        if (ed25519PublicKey.Length != NoteFormat.Ed25519PublicKeySize
            || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, ed25519PublicKey, KeyBlobFormat.RawPublicKey, out var key)
            || key is null)
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(ed25519PublicKey));
        return new NoteVerifier(name, key, ed25519PublicKey.ToArray());
    }

    /// <summary>Reads a verifier key string. Never throws on bad input.</summary>
    public static Outcome<NoteVerifier, NoteKeyError> Parse(string? verifierKey)
    {
        if (string.IsNullOrEmpty(verifierKey))
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.Malformed, "The verifier key is empty.");
        var (name, rest) = NoteFormat.Chop(verifierKey, '+');
        var (idHex, keyBase64) = NoteFormat.Chop(rest, '+');
        return FromParts(name, idHex, keyBase64);
    }

    /// <summary>Whether <paramref name="signature"/> is this key's Ed25519 signature of <paramref name="message"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == NoteFormat.Ed25519SignatureSize
        && SignatureAlgorithm.Ed25519.Verify(_publicKey, message, signature);

    /// <summary>Same name and same public key (hence the same key ID).</summary>
    public bool IsSameKey(NoteVerifier other) =>
        other is not null
        && string.Equals(Name, other.Name, StringComparison.Ordinal)
        && _publicKeyBytes.AsSpan().SequenceEqual(other._publicKeyBytes);

    public override string ToString() => VerifierKey;

    internal static Outcome<NoteVerifier, NoteKeyError> FromParts(string name, string idHex, string keyBase64)
    {
        if (!NoteFormat.IsValidKeyName(name))
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.Malformed, "The key name is empty or contains a space, a plus sign or a control character.");
        if (!NoteFormat.TryParseKeyId(idHex, out var keyId))
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.Malformed, "The key ID is not eight hexadecimal digits.");
        if (!NoteFormat.TryDecodeBase64(keyBase64, out var typedKey))
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.Malformed, "The key data is not canonical base64.");
        if (typedKey[0] != NoteFormat.Ed25519Type)
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.UnsupportedAlgorithm, $"Signature type 0x{typedKey[0]:x2} is not supported; only 0x01 (Ed25519) is.");
        if (typedKey.Length != 1 + NoteFormat.Ed25519PublicKeySize
            || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, typedKey.AsSpan(1), KeyBlobFormat.RawPublicKey, out var key)
            || key is null)
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.InvalidKey, "An Ed25519 public key is 32 bytes.");
        var verifier = new NoteVerifier(name, key, typedKey[1..]);
        if (verifier.KeyId != keyId)
            return Outcome<NoteVerifier, NoteKeyError>.Failure(NoteKeyError.KeyIdMismatch,
                $"The key ID {idHex} does not match the name and public key (expected {verifier.KeyIdHex}).");
        return verifier;
    }

    private byte[] TypedPublicKey() => [NoteFormat.Ed25519Type, .. _publicKeyBytes];
}
