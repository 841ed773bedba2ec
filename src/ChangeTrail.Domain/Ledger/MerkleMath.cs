using System.Numerics;

namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// The Merkle tree hash, inclusion proofs and consistency proofs of RFC 9162 §2.1, and their
/// verification. Generation reads the tree only through a <see cref="PerfectSubtreeHash"/>: any range
/// the RFC's recursive definitions hash is split into aligned perfect subtrees, so a proof costs
/// O(log n) stored-node lookups instead of rehashing leaves. The <c>…Nodes</c> methods list the
/// nodes an algorithm will ask for, so a store can fetch them all in one query before answering.
/// Verification needs no tree at all and never throws: any malformed input is simply not verified.
/// </summary>
public static class MerkleMath
{
    /// <summary>
    /// MTH(D[0:<paramref name="treeSize"/>]): the root hash of the first <paramref name="treeSize"/>
    /// leaves, from one perfect subtree per set bit of the size.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is negative.</exception>
    public static Hash32 RootHash(long treeSize, PerfectSubtreeHash subtree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentNullException.ThrowIfNull(subtree);
        return treeSize == 0 ? MerkleHash.Empty : RangeHash(0, treeSize, subtree);
    }

    /// <summary>
    /// PATH(<paramref name="index"/>, D[0:<paramref name="treeSize"/>]) of RFC 9162 §2.1.3.1: the
    /// sibling hashes from the leaf up to the root.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is negative or not below the size.</exception>
    public static Hash32[] InclusionProof(long index, long treeSize, PerfectSubtreeHash subtree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, treeSize);
        ArgumentNullException.ThrowIfNull(subtree);

        var leaf = (ulong)index;
        var last = (ulong)(treeSize - 1);
        // Below level `inner` the paths from the root to this leaf and to the last leaf have parted,
        // so this leaf has a sibling at every such level, and only the one at level inner-1 can run
        // past the right edge (its hash is then that of the partial range). From `inner` up the two
        // paths coincide along the right edge, where only left siblings exist: one per set bit.
        var inner = 64 - BitOperations.LeadingZeroCount(leaf ^ last);
        var proof = new Hash32[inner + BitOperations.PopCount(leaf >> inner)];
        for (var level = 0; level < inner; level++)
        {
            var start = (long)(((leaf >> level) ^ 1) << level);
            var size = 1L << level;
            proof[level] = size <= treeSize - start ? subtree(start, size) : RangeHash(start, treeSize, subtree);
        }
        var next = inner;
        for (var level = inner; (leaf >> level) != 0; level++)
        {
            if (((leaf >> level) & 1) != 0)
                proof[next++] = subtree((long)(((leaf >> level) ^ 1) << level), 1L << level);
        }
        return proof;
    }

    /// <summary>
    /// PROOF(<paramref name="oldSize"/>, D[0:<paramref name="newSize"/>]) of RFC 9162 §2.1.4.1: the
    /// hashes that show the first <paramref name="oldSize"/> leaves are unchanged in the larger tree.
    /// Empty when the old tree is empty or the sizes are equal, as there is then nothing to prove.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The old size is negative or larger than the new one.</exception>
    public static Hash32[] ConsistencyProof(long oldSize, long newSize, PerfectSubtreeHash subtree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        ArgumentNullException.ThrowIfNull(subtree);
        if (oldSize == 0 || oldSize == newSize)
            return [];

        // SUBPROOF unrolled: each step keeps the half of [lo, hi) holding the old tree's right edge
        // and proves the other half by its hash. The recursion appends on its way back up, so the
        // hashes are gathered top-down and reversed at the end.
        var topDown = new List<Hash32>(64);
        long lo = 0, hi = newSize;
        var oldRootIsInTree = true; // SUBPROOF's b: no step has yet cut the old tree in two
        while (oldSize < hi)
        {
            var split = LargestPowerOfTwoBelow(hi - lo);
            if (oldSize - lo <= split)
            {
                topDown.Add(RangeHash(lo + split, hi, subtree));
                hi = lo + split;
            }
            else
            {
                topDown.Add(subtree(lo, split));
                lo += split;
                oldRootIsInTree = false;
            }
        }
        // The walk ends on a left step, so [lo, hi) is a perfect subtree. If the old root is a node of
        // the new tree the verifier already holds it; otherwise this is where its rebuild starts.
        if (!oldRootIsInTree)
            topDown.Add(subtree(lo, hi - lo));
        topDown.Reverse();
        return [.. topDown];
    }

    /// <summary>
    /// RFC 9162 §2.1.3.2: true when <paramref name="proof"/> leads from <paramref name="leafHash"/> at
    /// <paramref name="index"/> to <paramref name="rootHash"/> in a tree of <paramref name="treeSize"/>.
    /// The proof binds the size only through the root, so take both from the same signed checkpoint.
    /// </summary>
    public static bool VerifyInclusion(
        in Hash32 leafHash, long index, long treeSize, ReadOnlySpan<Hash32> proof, in Hash32 rootHash) =>
        TryRootFromInclusionProof(leafHash, index, treeSize, proof, out var computed) && computed == rootHash;

    /// <summary>
    /// The root that <paramref name="proof"/> implies for <paramref name="leafHash"/> at
    /// <paramref name="index"/> in a tree of <paramref name="treeSize"/> (RFC 9162 §2.1.3.2 without the
    /// final comparison), so a caller can report which root a proof leads to. False when the proof
    /// has the wrong number of hashes for that index and size, or the index is not in the tree.
    /// </summary>
    public static bool TryRootFromInclusionProof(
        in Hash32 leafHash, long index, long treeSize, ReadOnlySpan<Hash32> proof, out Hash32 rootHash)
    {
        rootHash = default;
        if (index < 0 || index >= treeSize)
            return false;

        var fn = (ulong)index;
        var sn = (ulong)(treeSize - 1);
        var r = leafHash;
        foreach (var p in proof)
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                // On the right edge a node with no right sibling is carried up unchanged.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0)
            return false;
        rootHash = r;
        return true;
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: true when <paramref name="proof"/> shows that the tree of
    /// <paramref name="oldSize"/> leaves with root <paramref name="oldRoot"/> is a prefix of the tree of
    /// <paramref name="newSize"/> leaves with root <paramref name="newRoot"/>. The RFC covers
    /// 0 &lt; old &lt; new; equal sizes need an empty proof and equal roots, and an empty old tree
    /// needs an empty proof and the empty-tree root (<see cref="MerkleHash.Empty"/>).
    /// </summary>
    public static bool VerifyConsistency(
        long oldSize, long newSize, in Hash32 oldRoot, in Hash32 newRoot, ReadOnlySpan<Hash32> proof)
    {
        if (oldSize < 0 || newSize < oldSize)
            return false;
        if (oldSize == 0)
            return proof.IsEmpty && oldRoot == MerkleHash.Empty && (newSize > 0 || newRoot == MerkleHash.Empty);
        if (oldSize == newSize)
            return proof.IsEmpty && oldRoot == newRoot;
        if (proof.IsEmpty)
            return false;

        // A power-of-two old tree is itself a node of the new one, so the proof leaves out its hash
        // and the path starts from the old root (step 2 of the RFC's algorithm).
        Hash32 fr, sr;
        var path = proof;
        if (BitOperations.IsPow2(oldSize))
        {
            fr = sr = oldRoot;
        }
        else
        {
            fr = sr = proof[0];
            path = proof[1..];
        }

        var fn = (ulong)(oldSize - 1);
        var sn = (ulong)(newSize - 1);
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        foreach (var c in path)
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr == oldRoot && sr == newRoot;
    }

    /// <summary>The nodes <see cref="RootHash"/> asks for: the tree's right edge, largest first.</summary>
    public static NodeId[] RootHashNodes(long treeSize) =>
        NodesAskedFor(subtree => RootHash(treeSize, subtree));

    /// <summary>The nodes <see cref="InclusionProof"/> asks for, each once.</summary>
    public static NodeId[] InclusionProofNodes(long index, long treeSize) =>
        NodesAskedFor(subtree => InclusionProof(index, treeSize, subtree));

    /// <summary>The nodes <see cref="ConsistencyProof"/> asks for, each once.</summary>
    public static NodeId[] ConsistencyProofNodes(long oldSize, long newSize) =>
        NodesAskedFor(subtree => ConsistencyProof(oldSize, newSize, subtree));

    // Which nodes are read depends only on the sizes and indices, never on hash values, so running
    // the algorithm against a recorder that answers zeros lists exactly the nodes it will need.
    private static NodeId[] NodesAskedFor(Action<PerfectSubtreeHash> algorithm)
    {
        var nodes = new List<NodeId>();
        algorithm((start, size) =>
        {
            nodes.Add(NodeId.FromRange(start, size));
            return default;
        });
        return [.. nodes];
    }

    // MTH(D[start:end]) for a range whose start is a multiple of the power of two at or above its
    // length, which every range these algorithms hash is. The set bits of the length, largest first,
    // are then consecutive aligned perfect subtrees, and MTH's largest-power-of-two split folds
    // them together from the right. They are read left to right so that RootHashNodes lists the
    // right edge in the same order as CompactRange.
    private static Hash32 RangeHash(long start, long end, PerfectSubtreeHash subtree)
    {
        var length = (ulong)(end - start);
        Span<Hash32> parts = stackalloc Hash32[BitOperations.PopCount(length)];
        var position = start;
        for (var i = 0; i < parts.Length; i++)
        {
            var size = 1L << (63 - BitOperations.LeadingZeroCount(length));
            parts[i] = subtree(position, size);
            position += size;
            length ^= (ulong)size;
        }
        var hash = parts[^1];
        for (var i = parts.Length - 2; i >= 0; i--)
            hash = MerkleHash.Node(parts[i], hash);
        return hash;
    }

    private static long LargestPowerOfTwoBelow(long size) =>
        1L << (63 - BitOperations.LeadingZeroCount((ulong)(size - 1)));
}
