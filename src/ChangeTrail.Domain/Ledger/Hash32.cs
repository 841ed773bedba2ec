using System.Buffers;
using System.Runtime.InteropServices;

namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// A SHA-256 digest: a leaf, node or root hash of the ledger's Merkle tree. A value type so that
/// proofs and stored nodes are flat arrays with no per-hash allocation; a wrong-length input is
/// refused when it is parsed, so every <see cref="Hash32"/> is exactly 32 bytes.
/// </summary>
public readonly struct Hash32 : IEquatable<Hash32>
{
    /// <summary>The size of a hash in bytes.</summary>
    public const int Length = 32;

    // Four words rather than a byte array: equality is four compares, and copying a hash never allocates.
    // The words are in machine byte order; they are only ever read back by CopyTo on the same machine.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private Hash32(ReadOnlySpan<byte> bytes)
    {
        _w0 = MemoryMarshal.Read<ulong>(bytes);
        _w1 = MemoryMarshal.Read<ulong>(bytes[8..]);
        _w2 = MemoryMarshal.Read<ulong>(bytes[16..]);
        _w3 = MemoryMarshal.Read<ulong>(bytes[24..]);
    }

    /// <summary>The hash whose bytes are <paramref name="bytes"/>, which must be exactly 32 long.</summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes long.</exception>
    public static Hash32 FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length
            ? new Hash32(bytes)
            : throw new ArgumentException($"A hash is {Length} bytes; this one is {bytes.Length}.", nameof(bytes));

    /// <summary>Reads a hash from exactly 32 bytes; false for any other length.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Hash32 hash)
    {
        hash = bytes.Length == Length ? new Hash32(bytes) : default;
        return bytes.Length == Length;
    }

    /// <summary>Parses 64 hexadecimal digits (either case).</summary>
    /// <exception cref="FormatException">The text is not 64 hexadecimal digits.</exception>
    public static Hash32 FromHex(string hex) =>
        TryFromHex(hex, out var hash) ? hash : throw new FormatException("A hash is 64 hexadecimal digits.");

    /// <summary>Parses 64 hexadecimal digits (either case); false for anything else.</summary>
    public static bool TryFromHex(ReadOnlySpan<char> hex, out Hash32 hash)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (hex.Length == 2 * Length
            && Convert.FromHexString(hex, bytes, out _, out var written) == OperationStatus.Done
            && written == Length)
        {
            hash = new Hash32(bytes);
            return true;
        }
        hash = default;
        return false;
    }

    /// <summary>Parses standard, padded base64 of 32 bytes (the form used in signed checkpoints).</summary>
    /// <exception cref="FormatException">The text is not base64 of exactly 32 bytes.</exception>
    public static Hash32 FromBase64(string base64) =>
        TryFromBase64(base64, out var hash) ? hash : throw new FormatException("A hash is base64 of 32 bytes.");

    /// <summary>Parses standard, padded base64 of 32 bytes; false for anything else.</summary>
    public static bool TryFromBase64(ReadOnlySpan<char> base64, out Hash32 hash)
    {
        // One byte of slack: a longer input then fills it instead of failing for lack of room,
        // and the length check below refuses it either way.
        Span<byte> bytes = stackalloc byte[Length + 1];
        if (Convert.TryFromBase64Chars(base64, bytes, out var written) && written == Length)
        {
            hash = new Hash32(bytes[..Length]);
            return true;
        }
        hash = default;
        return false;
    }

    /// <summary>Writes the 32 bytes to the start of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length)
            throw new ArgumentException($"A hash needs {Length} bytes of room.", nameof(destination));
        MemoryMarshal.Write(destination, in _w0);
        MemoryMarshal.Write(destination[8..], in _w1);
        MemoryMarshal.Write(destination[16..], in _w2);
        MemoryMarshal.Write(destination[24..], in _w3);
    }

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>64 lowercase hexadecimal digits.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Standard, padded base64 (44 characters).</summary>
    public string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToBase64String(bytes);
    }

    /// <inheritdoc cref="ToHex"/>
    public override string ToString() => ToHex();

    /// <summary>True when both hashes have the same 32 bytes.</summary>
    public bool Equals(Hash32 other) =>
        _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    // The bytes are a cryptographic digest, so any eight of them are already uniformly spread.
    /// <inheritdoc/>
    public override int GetHashCode() => _w0.GetHashCode();

    /// <summary>True when both hashes have the same 32 bytes.</summary>
    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);

    /// <summary>True when the hashes differ in at least one byte.</summary>
    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);
}
