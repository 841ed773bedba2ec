using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Domain.Tests.Ledger;

/// <summary>
/// RFC 9162 §2.1 transcribed literally, recursion and all, over a list of leaf hashes: the
/// reference the O(log n) algorithms are checked against. Slow on purpose — it rehashes leaves.
/// </summary>
internal static class NaiveMerkle
{
    /// <summary>MTH(D[n]) of §2.1.1.</summary>
    public static Hash32 Mth(ReadOnlySpan<Hash32> leaves)
    {
        if (leaves.Length == 0)
            return MerkleHash.Empty;
        if (leaves.Length == 1)
            return leaves[0];
        var k = LargestPowerOfTwoBelow(leaves.Length);
        return MerkleHash.Node(Mth(leaves[..k]), Mth(leaves[k..]));
    }

    /// <summary>PATH(m, D[n]) of §2.1.3.1.</summary>
    public static Hash32[] Path(int m, ReadOnlySpan<Hash32> leaves) => [.. PathList(m, leaves)];

    private static List<Hash32> PathList(int m, ReadOnlySpan<Hash32> leaves)
    {
        if (leaves.Length == 1)
            return [];
        var k = LargestPowerOfTwoBelow(leaves.Length);
        if (m < k)
        {
            var path = PathList(m, leaves[..k]);
            path.Add(Mth(leaves[k..]));
            return path;
        }
        var right = PathList(m - k, leaves[k..]);
        right.Add(Mth(leaves[..k]));
        return right;
    }

    /// <summary>PROOF(m, D[n]) of §2.1.4.1.</summary>
    public static Hash32[] Proof(int m, ReadOnlySpan<Hash32> leaves) => [.. Subproof(m, leaves, true)];

    private static List<Hash32> Subproof(int m, ReadOnlySpan<Hash32> leaves, bool b)
    {
        var n = leaves.Length;
        if (m == n)
            return b ? [] : [Mth(leaves)];
        var k = LargestPowerOfTwoBelow(n);
        if (m <= k)
        {
            var left = Subproof(m, leaves[..k], b);
            left.Add(Mth(leaves[k..]));
            return left;
        }
        var right = Subproof(m - k, leaves[k..], false);
        right.Add(Mth(leaves[..k]));
        return right;
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n)
            k *= 2;
        return k;
    }
}
