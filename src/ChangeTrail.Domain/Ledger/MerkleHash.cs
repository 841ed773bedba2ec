using System.Security.Cryptography;

namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// The hashing of RFC 9162 §2.1.1 with SHA-256. Leaves and interior nodes get different one-byte
/// prefixes so that no leaf can be passed off as a node (a second-preimage attack on the tree).
/// </summary>
public static class MerkleHash
{
    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Leaves up to this size are prefixed on the stack; larger ones are streamed rather than copied.
    private const int StackLeafLimit = 512;

    /// <summary>The root hash of the empty tree: SHA-256 of no bytes.</summary>
    public static Hash32 Empty { get; } = Hash32.FromBytes(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    /// <summary>The hash of a leaf: SHA-256(0x00 || <paramref name="data"/>).</summary>
    public static Hash32 Leaf(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Hash32.Length];
        if (data.Length <= StackLeafLimit)
        {
            Span<byte> input = stackalloc byte[StackLeafLimit + 1];
            input[0] = LeafPrefix;
            data.CopyTo(input[1..]);
            SHA256.HashData(input[..(data.Length + 1)], digest);
        }
        else
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData([LeafPrefix]);
            sha.AppendData(data);
            sha.GetHashAndReset(digest);
        }
        return Hash32.FromBytes(digest);
    }

    /// <summary>The hash of an interior node: SHA-256(0x01 || <paramref name="left"/> || <paramref name="right"/>).</summary>
    public static Hash32 Node(in Hash32 left, in Hash32 right)
    {
        Span<byte> input = stackalloc byte[1 + 2 * Hash32.Length];
        input[0] = NodePrefix;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Hash32.Length)..]);
        Span<byte> digest = stackalloc byte[Hash32.Length];
        SHA256.HashData(input, digest);
        return Hash32.FromBytes(digest);
    }
}
