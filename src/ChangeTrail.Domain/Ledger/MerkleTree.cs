namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// A whole tree in memory: every leaf hash and every complete perfect subtree, level by level, so
/// any root or proof of any past size costs O(log n) lookups. For tests, exports and offline
/// verification; the server keeps the same nodes in its database instead. Not thread-safe.
/// </summary>
public sealed class MerkleTree
{
    // _levels[l][i] is the hash of node (l, i); level 0 holds the leaf hashes.
    private readonly List<List<Hash32>> _levels = [];
    private readonly CompactRange _edge = new();
    private readonly PerfectSubtreeHash _subtree;

    /// <summary>An empty tree.</summary>
    public MerkleTree() => _subtree = SubtreeHash;

    /// <summary>The number of leaves.</summary>
    public long Size => _edge.Size;

    /// <summary>A tree of the given leaf hashes, in order.</summary>
    public static MerkleTree FromLeafHashes(IEnumerable<Hash32> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var tree = new MerkleTree();
        foreach (var leafHash in leafHashes)
            tree.AppendLeaf(leafHash);
        return tree;
    }

    /// <summary>Appends a leaf by its hash and returns its index.</summary>
    public long AppendLeaf(in Hash32 leafHash)
    {
        foreach (var node in _edge.Append(leafHash))
        {
            if (node.Level == _levels.Count)
                _levels.Add([]);
            _levels[node.Level].Add(node.Hash);
        }
        return Size - 1;
    }

    /// <summary>Appends a leaf by its data (hashed with <see cref="MerkleHash.Leaf"/>) and returns its index.</summary>
    public long AppendData(ReadOnlySpan<byte> data) => AppendLeaf(MerkleHash.Leaf(data));

    /// <summary>The hash of leaf <paramref name="index"/>.</summary>
    public Hash32 LeafHash(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        return _levels[0][(int)index];
    }

    /// <summary>The hash of a complete perfect subtree; usable as a <see cref="PerfectSubtreeHash"/>.</summary>
    /// <exception cref="ArgumentException">The range is not a perfect, aligned subtree.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The subtree is not complete yet.</exception>
    public Hash32 SubtreeHash(long start, long size)
    {
        var node = NodeId.FromRange(start, size);
        if (node.End > Size)
            throw new ArgumentOutOfRangeException(nameof(size), $"Node {node} is not complete in a tree of {Size} leaves.");
        return _levels[node.Level][(int)node.Index];
    }

    /// <summary>The root hash of the whole tree.</summary>
    public Hash32 RootHash() => _edge.RootHash();

    /// <summary>The root hash the tree had when it held <paramref name="treeSize"/> leaves.</summary>
    public Hash32 RootHash(long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, Size);
        return MerkleMath.RootHash(treeSize, _subtree);
    }

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of its first <paramref name="treeSize"/> leaves.</summary>
    public Hash32[] InclusionProof(long index, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, Size);
        return MerkleMath.InclusionProof(index, treeSize, _subtree);
    }

    /// <summary>The consistency proof from the tree's first <paramref name="oldSize"/> leaves to its first <paramref name="newSize"/>.</summary>
    public Hash32[] ConsistencyProof(long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newSize, Size);
        return MerkleMath.ConsistencyProof(oldSize, newSize, _subtree);
    }
}
