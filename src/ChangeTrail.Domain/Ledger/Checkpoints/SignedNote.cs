using System.Buffers.Binary;
using System.Text;

namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>Why a signed note was refused.</summary>
public enum NoteError
{
    /// <summary>
    /// Not a signed note: not valid UTF-8, a control character other than newline, no blank line before
    /// the signatures, a line that is not a signature line, a bad key name or bad base64, or too many signatures.
    /// </summary>
    Malformed,

    /// <summary>Well formed, but no signature is by a known key (name and key ID), so the text cannot be trusted.</summary>
    UnknownKey,

    /// <summary>
    /// A signature by a known key does not verify: the text, the signature or both were changed,
    /// and the whole note is rejected.
    /// </summary>
    InvalidSignature,

    /// <summary>Two different known keys share the key name and key ID of a signature.</summary>
    AmbiguousKey,
}

/// <summary>One signature line of a note: the key name, the key ID and the base64 of (key ID || signature).</summary>
public sealed record NoteSignature(string KeyName, uint KeyId, string Base64)
{
    public override string ToString() => $"{KeyName}+{NoteFormat.FormatKeyId(KeyId)}";
}

/// <summary>
/// A note whose signatures were checked. <see cref="Text"/> is trustworthy because at least one
/// signature by a known key verified; <see cref="VerifiedBy"/> says which.
/// </summary>
public sealed record OpenedNote(
    string Text,
    IReadOnlyList<NoteVerifier> VerifiedBy,
    IReadOnlyList<NoteSignature> VerifiedSignatures,
    IReadOnlyList<NoteSignature> UnverifiedSignatures)
{
    /// <summary>The first known key whose signature verified.</summary>
    public NoteVerifier SignedBy => VerifiedBy[0];
}

/// <summary>
/// The C2SP signed-note format (c2sp.org/signed-note): a text ending in a newline, a blank line, then one
/// or more lines <c>— &lt;key name&gt; &lt;base64(4-byte key ID || signature)&gt;</c>. Ed25519 signatures only.
/// </summary>
public static class SignedNote
{
    private const string SignatureSeparator = "\n\n";

    /// <summary>Whether <paramref name="name"/> may be a key name: non-empty, no Unicode space, no plus sign, no control character.</summary>
    public static bool IsValidKeyName(string? name) => NoteFormat.IsValidKeyName(name);

    /// <summary>
    /// Signs <paramref name="text"/> with every signer, in order (a key appearing twice signs once):
    /// during a key rotation, sign with the old and the new key so either verifier accepts the note.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The text does not end in a newline, has a control character other than newline or a lone surrogate,
    /// or there is no signer.
    /// </exception>
    public static string Sign(string text, params IEnumerable<NoteSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(signers);
        if (!text.EndsWith('\n'))
            throw new ArgumentException("A note text ends in a newline.", nameof(text));
        if (!NoteFormat.IsValidNoteText(text))
            throw new ArgumentException("A note text is valid Unicode with no control character other than newline.", nameof(text));

        var message = Encoding.UTF8.GetBytes(text);
        var note = new StringBuilder(text).Append('\n');
        var signed = new HashSet<(string, uint)>();
        foreach (var signer in signers)
        {
            ArgumentNullException.ThrowIfNull(signer, nameof(signers));
            if (!signed.Add((signer.Name, signer.KeyId)))
                continue;
            var signature = signer.SignBytes(message);
            var payload = new byte[4 + signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(payload, signer.KeyId);
            signature.CopyTo(payload, 4);
            note.Append(NoteFormat.SignaturePrefix).Append(signer.Name).Append(' ')
                .Append(Convert.ToBase64String(payload)).Append('\n');
        }
        if (signed.Count == 0)
            throw new ArgumentException("A note needs at least one signer.", nameof(signers));
        return note.ToString();
    }

    /// <summary>Opens a signed note read as UTF-8 bytes (e.g. an HTTP body). Invalid UTF-8 is <see cref="NoteError.Malformed"/>.</summary>
    public static Outcome<OpenedNote, NoteError> Open(ReadOnlySpan<byte> signedNoteUtf8, params IEnumerable<NoteVerifier> known)
    {
        string note;
        try
        {
            note = NoteFormat.StrictUtf8.GetString(signedNoteUtf8);
        }
        catch (DecoderFallbackException)
        {
            return Malformed("The note is not valid UTF-8.");
        }
        return Open(note, known);
    }

    /// <summary>
    /// Parses a signed note and checks its signatures against the <paramref name="known"/> keys. Signatures by
    /// unknown keys are ignored (listed as unverified); every signature by a known key must verify; at least one
    /// must. Never throws on bad input.
    /// </summary>
    public static Outcome<OpenedNote, NoteError> Open(string? signedNote, params IEnumerable<NoteVerifier> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        if (string.IsNullOrEmpty(signedNote))
            return Malformed("The note is empty.");
        if (!NoteFormat.IsValidNoteText(signedNote))
            return Malformed("The note is not valid Unicode, or has a control character other than newline.");

        // The text is separated from the signatures by the last blank line.
        var split = signedNote.LastIndexOf(SignatureSeparator, StringComparison.Ordinal);
        if (split < 0)
            return Malformed("The note has no blank line before its signatures.");
        var text = signedNote[..(split + 1)];
        var block = signedNote[(split + 2)..];
        if (block.Length == 0 || !block.EndsWith('\n'))
            return Malformed("The signature block is empty or does not end in a newline.");

        var lines = block[..^1].Split('\n');
        if (lines.Length > NoteFormat.MaxSignatures)
            return Malformed($"The note has {lines.Length} signatures; at most {NoteFormat.MaxSignatures} are read.");

        var verifiers = new List<NoteVerifier>();
        foreach (var verifier in known)
        {
            ArgumentNullException.ThrowIfNull(verifier, nameof(known));
            verifiers.Add(verifier);
        }

        var message = Encoding.UTF8.GetBytes(text);
        var verifiedBy = new List<NoteVerifier>();
        var verified = new List<NoteSignature>();
        var unverified = new List<NoteSignature>();
        var seenUnverified = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (!line.StartsWith(NoteFormat.SignaturePrefix, StringComparison.Ordinal))
                return Malformed("A line after the blank line is not a signature line (em dash, space, key name, space, base64).");
            var (name, base64) = NoteFormat.Chop(line[NoteFormat.SignaturePrefix.Length..], ' ');
            if (!NoteFormat.IsValidKeyName(name))
                return Malformed("A signature line has an invalid key name.");
            if (!NoteFormat.TryDecodeBase64(base64, out var payload) || payload.Length < 5)
                return Malformed($"The signature by {name} is not canonical base64 of a key ID and a signature.");
            var keyId = BinaryPrimitives.ReadUInt32BigEndian(payload);
            var signature = new NoteSignature(name, keyId, base64);

            var candidates = verifiers.Where(v => v.KeyId == keyId && string.Equals(v.Name, name, StringComparison.Ordinal)).ToList();
            if (candidates.Count == 0)
            {
                if (seenUnverified.Add(line))
                    unverified.Add(signature);
                continue;
            }
            if (candidates.Skip(1).Any(c => !c.IsSameKey(candidates[0])))
                return Failure(NoteError.AmbiguousKey, $"Several known keys are named {signature}.");

            var verifier = candidates[0];
            if (!verifier.Verify(message, payload.AsSpan(4)))
                return Failure(NoteError.InvalidSignature, $"The signature by known key {signature} does not verify: the note was altered.");
            if (!verifiedBy.Any(v => v.IsSameKey(verifier)))
            {
                verifiedBy.Add(verifier);
                verified.Add(signature);
            }
        }

        if (verifiedBy.Count == 0)
        {
            var names = unverified.Count == 0 ? "none" : string.Join(", ", unverified);
            return Failure(NoteError.UnknownKey, $"No signature is by a known key (signed by: {names}).");
        }
        return new OpenedNote(text, verifiedBy, verified, unverified);
    }

    private static Outcome<OpenedNote, NoteError> Malformed(string detail) => Failure(NoteError.Malformed, detail);

    private static Outcome<OpenedNote, NoteError> Failure(NoteError error, string detail) =>
        Outcome<OpenedNote, NoteError>.Failure(error, detail);
}
