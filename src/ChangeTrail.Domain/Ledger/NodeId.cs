using System.Numerics;

namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// A perfect subtree of the log: the <see cref="Size"/> = 2^<see cref="Level"/> leaves starting at
/// <see cref="Start"/> = <see cref="Index"/> · 2^<see cref="Level"/>. Level 0 is the leaves themselves.
/// Every node ever stored is one of these, so (level, index) is the storage key of a node.
/// </summary>
/// <param name="Level">Height above the leaves; the subtree holds 2^Level leaves.</param>
/// <param name="Index">Position among the subtrees of the same level, counted from 0 at the left.</param>
public readonly record struct NodeId(int Level, long Index)
{
    /// <summary>The first leaf under this node.</summary>
    public long Start => Index << Level;

    /// <summary>The number of leaves under this node.</summary>
    public long Size => 1L << Level;

    /// <summary>One past the last leaf under this node.</summary>
    public long End => Start + Size;

    /// <summary>The node covering <paramref name="size"/> leaves from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentException">The size is not a power of two, or start is not a multiple of it.</exception>
    public static NodeId FromRange(long start, long size)
    {
        if (start < 0 || size <= 0 || !BitOperations.IsPow2(size) || start % size != 0)
            throw new ArgumentException($"[{start}, {start}+{size}) is not a perfect, aligned subtree.", nameof(size));
        var level = BitOperations.Log2((ulong)size);
        return new NodeId(level, start >> level);
    }

    /// <summary>"level/index", e.g. "3/2" for leaves 16 to 23.</summary>
    public override string ToString() => $"{Level}/{Index}";
}

/// <summary>A stored node of the tree: the hash of the perfect subtree <see cref="Id"/>.</summary>
/// <param name="Level">Height above the leaves; the subtree holds 2^Level leaves.</param>
/// <param name="Index">Position among the subtrees of the same level, counted from 0 at the left.</param>
/// <param name="Hash">The Merkle tree hash of the subtree's leaves.</param>
public readonly record struct MerkleNode(int Level, long Index, Hash32 Hash)
{
    /// <summary>Which subtree this is.</summary>
    public NodeId Id => new(Level, Index);
}
