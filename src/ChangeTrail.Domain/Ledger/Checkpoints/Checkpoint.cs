using System.Globalization;
using System.Text;

namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>Why a checkpoint body was refused.</summary>
public enum CheckpointError
{
    /// <summary>The body does not end in a newline.</summary>
    MissingFinalNewline,

    /// <summary>Fewer than the three lines origin, tree size and root hash.</summary>
    MissingLines,

    /// <summary>A lone surrogate, or a control character other than newline.</summary>
    InvalidCharacters,

    /// <summary>The first line, the origin, is empty.</summary>
    EmptyOrigin,

    /// <summary>The second line is not a decimal number without leading zeros that fits a signed 64-bit integer.</summary>
    InvalidTreeSize,

    /// <summary>The third line is not canonical standard base64.</summary>
    InvalidRootHashEncoding,

    /// <summary>The third line decodes to something other than a 32-byte SHA-256 hash.</summary>
    WrongRootHashLength,

    /// <summary>An extension line (fourth and later) is empty.</summary>
    EmptyExtensionLine,
}

/// <summary>
/// A tree head of the ledger's RFC 9162 Merkle log in the C2SP tlog-checkpoint format (c2sp.org/tlog-checkpoint):
/// the note text <c>&lt;origin&gt;\n&lt;tree size&gt;\n&lt;base64 root hash&gt;\n</c> followed by optional,
/// opaque, non-empty extension lines. Sign it with <see cref="CheckpointNote"/>.
/// </summary>
public sealed record Checkpoint
{
    /// <summary>Size in bytes of a root hash (SHA-256).</summary>
    public const int RootHashSize = 32;

    private readonly byte[] _rootHash;
    private readonly string[] _extensions;

    /// <exception cref="ArgumentException">
    /// The origin is empty or has a newline, control character or lone surrogate; the size is negative;
    /// the root hash is not 32 bytes; or an extension line is empty or has such a character.
    /// </exception>
    public Checkpoint(string origin, long treeSize, ReadOnlySpan<byte> rootHash, IEnumerable<string>? extensions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        if (!IsValidLine(origin))
            throw new ArgumentException("The origin is one line of text without control characters.", nameof(origin));
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        if (rootHash.Length != RootHashSize)
            throw new ArgumentException($"A root hash is {RootHashSize} bytes.", nameof(rootHash));
        var lines = extensions?.ToArray() ?? [];
        if (lines.Any(line => string.IsNullOrEmpty(line) || !IsValidLine(line)))
            throw new ArgumentException("Extension lines are non-empty single lines without control characters.", nameof(extensions));

        Origin = origin;
        TreeSize = treeSize;
        _rootHash = rootHash.ToArray();
        _extensions = lines;
    }

    /// <summary>The log's identity, e.g. <c>changetrail.example.com/ledger</c>; also the signing key's name.</summary>
    public string Origin { get; }

    /// <summary>Number of leaves in the tree.</summary>
    public long TreeSize { get; }

    /// <summary>The 32-byte Merkle tree hash (RFC 9162 section 2.1) of the first <see cref="TreeSize"/> leaves.</summary>
    public ReadOnlySpan<byte> RootHash => _rootHash;

    /// <summary>Opaque extension lines after the root hash; usually none.</summary>
    public IReadOnlyList<string> Extensions => _extensions;

    /// <summary>The note text: origin, tree size, base64 root hash and extension lines, each ending in a newline.</summary>
    public string Format()
    {
        var body = new StringBuilder()
            .Append(Origin).Append('\n')
            .Append(TreeSize.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(_rootHash)).Append('\n');
        foreach (var line in _extensions)
            body.Append(line).Append('\n');
        return body.ToString();
    }

    /// <summary>Reads a checkpoint body (a note's text). Never throws on bad input.</summary>
    public static Outcome<Checkpoint, CheckpointError> Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return Failure(CheckpointError.MissingLines, "The checkpoint is empty.");
        if (!NoteFormat.IsValidNoteText(text))
            return Failure(CheckpointError.InvalidCharacters, "The checkpoint has a control character other than newline, or is not valid Unicode.");
        if (!text.EndsWith('\n'))
            return Failure(CheckpointError.MissingFinalNewline, "The checkpoint does not end in a newline.");

        var lines = text[..^1].Split('\n');
        if (lines.Length < 3)
            return Failure(CheckpointError.MissingLines, $"The checkpoint has {lines.Length} line(s); origin, tree size and root hash are required.");

        var origin = lines[0];
        if (origin.Length == 0)
            return Failure(CheckpointError.EmptyOrigin, "The origin line is empty.");

        var sizeLine = lines[1];
        if (!IsCanonicalDecimal(sizeLine)
            || !long.TryParse(sizeLine, NumberStyles.None, CultureInfo.InvariantCulture, out var treeSize))
            return Failure(CheckpointError.InvalidTreeSize, $"The tree size '{sizeLine}' is not a decimal number without leading zeros that fits in 64 bits.");

        if (!NoteFormat.TryDecodeBase64(lines[2], out var rootHash))
            return Failure(CheckpointError.InvalidRootHashEncoding, "The root hash is not canonical standard base64.");
        if (rootHash.Length != RootHashSize)
            return Failure(CheckpointError.WrongRootHashLength, $"The root hash is {rootHash.Length} bytes; a SHA-256 hash is {RootHashSize}.");

        var extensions = lines[3..];
        if (extensions.Any(line => line.Length == 0))
            return Failure(CheckpointError.EmptyExtensionLine, "An extension line is empty.");

        return new Checkpoint(origin, treeSize, rootHash, extensions);
    }

    public bool Equals(Checkpoint? other) =>
        other is not null
        && string.Equals(Origin, other.Origin, StringComparison.Ordinal)
        && TreeSize == other.TreeSize
        && _rootHash.AsSpan().SequenceEqual(other._rootHash)
        && _extensions.SequenceEqual(other._extensions, StringComparer.Ordinal);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Origin, StringComparer.Ordinal);
        hash.Add(TreeSize);
        hash.AddBytes(_rootHash);
        foreach (var line in _extensions)
            hash.Add(line, StringComparer.Ordinal);
        return hash.ToHashCode();
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Origin = ").Append(Origin)
            .Append(", TreeSize = ").Append(TreeSize.ToString(CultureInfo.InvariantCulture))
            .Append(", RootHash = ").Append(Convert.ToBase64String(_rootHash))
            .Append(", Extensions = [").Append(string.Join(", ", _extensions)).Append(']');
        return true;
    }

    private static bool IsValidLine(string line) => !line.Contains('\n', StringComparison.Ordinal) && NoteFormat.IsValidNoteText(line);

    private static bool IsCanonicalDecimal(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0');

    private static Outcome<Checkpoint, CheckpointError> Failure(CheckpointError error, string detail) =>
        Outcome<Checkpoint, CheckpointError>.Failure(error, detail);
}
