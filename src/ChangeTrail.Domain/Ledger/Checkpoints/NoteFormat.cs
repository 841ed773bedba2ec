using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>Shared rules of the C2SP signed-note format (c2sp.org/signed-note).</summary>
internal static class NoteFormat
{
    /// <summary>Signature type identifier byte for Ed25519 (signed-note, "Signature types").</summary>
    public const byte Ed25519Type = 0x01;

    public const int Ed25519PublicKeySize = 32;
    public const int Ed25519SeedSize = 32;
    public const int Ed25519SignatureSize = 64;

    /// <summary>Em dash (U+2014) and space, the start of every signature line.</summary>
    public const string SignaturePrefix = "\u2014 ";

    /// <summary>
    /// The spec says verifiers must accept at least 16 signatures and should cap them;
    /// golang.org/x/mod/sumdb/note caps at 100, and so do we.
    /// </summary>
    public const int MaxSignatures = 100;

    /// <summary>Strict UTF-8: invalid bytes are an error, not U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// A key name is non-empty, well-formed Unicode, and contains no Unicode space and no plus (U+002B).
    /// </summary>
    public static bool IsValidKeyName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !IsWellFormed(name))
            return false;
        foreach (var rune in name.EnumerateRunes())
        {
            if (rune.Value == '+' || Rune.IsWhiteSpace(rune) || Rune.IsControl(rune))
                return false;
        }
        return true;
    }

    /// <summary>No lone surrogates, so the text has an exact UTF-8 encoding.</summary>
    public static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                    return false;
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Well-formed, and no ASCII control character (below U+0020) other than newline.</summary>
    public static bool IsValidNoteText(string text) =>
        IsWellFormed(text) && !text.Any(c => c < 0x20 && c != '\n');

    /// <summary>key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian.</summary>
    public static uint ComputeKeyId(string name, ReadOnlySpan<byte> typedPublicKey)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 1 + typedPublicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = (byte)'\n';
        typedPublicKey.CopyTo(input.AsSpan(nameBytes.Length + 1));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    public static string FormatKeyId(uint keyId) => keyId.ToString("x8");

    /// <summary>Exactly eight hexadecimal digits (either case, as Go's strconv.ParseUint accepts).</summary>
    public static bool TryParseKeyId(string text, out uint keyId)
    {
        keyId = 0;
        if (text.Length != 8 || !text.All(char.IsAsciiHexDigit))
            return false;
        return uint.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier, null, out keyId);
    }

    /// <summary>
    /// Standard base64 (RFC 4648 section 4, padded) in its one canonical spelling: no whitespace,
    /// no non-zero padding bits. Anything else is refused, so each value has exactly one text.
    /// </summary>
    public static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 != 0)
            return false;
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
            return false;
        var decoded = buffer.AsSpan(0, written).ToArray();
        if (!string.Equals(Convert.ToBase64String(decoded), text, StringComparison.Ordinal))
            return false;
        bytes = decoded;
        return true;
    }

    /// <summary>Splits at the first <paramref name="separator"/>; the second part is empty when there is none.</summary>
    public static (string Before, string After) Chop(string text, char separator)
    {
        var i = text.IndexOf(separator, StringComparison.Ordinal);
        return i < 0 ? (text, "") : (text[..i], text[(i + 1)..]);
    }
}
