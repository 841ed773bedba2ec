using System.Numerics;

namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// The right edge of a tree of <see cref="Size"/> leaves: one perfect subtree per set bit of the
/// size, largest first — all that is needed to compute the root and to keep appending. A store
/// loads it from the nodes <see cref="MerkleMath.RootHashNodes"/> names, appends under its log-head
/// lock, and saves the nodes each <see cref="Append"/> returns: one per append on average, never
/// more than log2(n) + 1. Not thread-safe, and not rolled back with a failed transaction: build a
/// fresh one from the store after a rollback.
/// </summary>
public sealed class CompactRange
{
    // The edge's hashes, leftmost (largest) first. Their levels are the set bits of Size, so only
    // the hashes need keeping.
    private readonly List<Hash32> _hashes;

    /// <summary>The edge of the empty tree.</summary>
    public CompactRange()
        : this(0, [])
    {
    }

    private CompactRange(long size, List<Hash32> hashes)
    {
        Size = size;
        _hashes = hashes;
    }

    /// <summary>The number of leaves appended so far.</summary>
    public long Size { get; private set; }

    /// <summary>The edge's nodes, leftmost (largest) first: those <see cref="MerkleMath.RootHashNodes"/> names.</summary>
    public IReadOnlyList<MerkleNode> Nodes
    {
        get
        {
            var nodes = new MerkleNode[_hashes.Count];
            var start = 0L;
            var i = 0;
            for (var level = 62; level >= 0; level--)
            {
                var size = 1L << level;
                if ((Size & size) == 0)
                    continue;
                nodes[i] = new MerkleNode(level, start >> level, _hashes[i]);
                i++;
                start += size;
            }
            return nodes;
        }
    }

    /// <summary>
    /// The edge of a tree of <paramref name="size"/> leaves from the hashes of its edge nodes, in the
    /// order <see cref="MerkleMath.RootHashNodes"/> names them.
    /// </summary>
    /// <exception cref="ArgumentException">The number of hashes is not the number of edge nodes of that size.</exception>
    public static CompactRange FromNodes(long size, ReadOnlySpan<Hash32> hashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var expected = BitOperations.PopCount((ulong)size);
        if (hashes.Length != expected)
            throw new ArgumentException($"A tree of {size} leaves has {expected} edge nodes, not {hashes.Length}.", nameof(hashes));
        return new CompactRange(size, [.. hashes]);
    }

    /// <summary>The edge of a tree of <paramref name="size"/> leaves, read through <paramref name="subtree"/>.</summary>
    public static CompactRange FromSubtrees(long size, PerfectSubtreeHash subtree)
    {
        ArgumentNullException.ThrowIfNull(subtree);
        var hashes = MerkleMath.RootHashNodes(size).Select(node => subtree(node.Start, node.Size)).ToList();
        return new CompactRange(size, hashes);
    }

    /// <summary>
    /// Appends the leaf with hash <paramref name="leafHash"/> at index <see cref="Size"/> and returns
    /// every node that became complete: the leaf itself (level 0), then each parent it completed,
    /// bottom-up. These are exactly the nodes a full tree of the new size has and the old one lacks.
    /// </summary>
    public MerkleNode[] Append(in Hash32 leafHash)
    {
        if (Size == long.MaxValue)
            throw new InvalidOperationException("The tree is full.");
        var index = (ulong)Size;
        // The leaf completes one parent for each trailing 1 bit of its index: those are the levels at
        // which it is a right child.
        var completed = new MerkleNode[1 + BitOperations.TrailingZeroCount(~index)];
        var hash = leafHash;
        completed[0] = new MerkleNode(0, Size, hash);
        for (var level = 1; level < completed.Length; level++)
        {
            hash = MerkleHash.Node(_hashes[^1], hash);
            _hashes.RemoveAt(_hashes.Count - 1);
            completed[level] = new MerkleNode(level, (long)(index >> level), hash);
        }
        _hashes.Add(hash);
        Size++;
        return completed;
    }

    /// <summary>The root hash of the tree: its edge folded together from the right.</summary>
    public Hash32 RootHash()
    {
        if (_hashes.Count == 0)
            return MerkleHash.Empty;
        var root = _hashes[^1];
        for (var i = _hashes.Count - 2; i >= 0; i--)
            root = MerkleHash.Node(_hashes[i], root);
        return root;
    }
}
