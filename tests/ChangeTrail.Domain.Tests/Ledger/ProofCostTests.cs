using System.Buffers.Binary;
using System.Numerics;
using ChangeTrail.Domain.Ledger;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Ledger;

/// <summary>
/// Proofs over a million-leaf tree read O(log n) stored nodes. The tree is virtual: leaf i is the
/// leaf hash of i's eight little-endian bytes, and a node is hashed from its children on demand,
/// remembering only the nodes high enough that there are few of them.
/// </summary>
public class ProofCostTests
{
    private const long Million = 1_000_000;

    private sealed class VirtualTree
    {
        private const int RememberFromLevel = 8;
        private readonly Dictionary<NodeId, Hash32> _remembered = [];

        public List<NodeId> Reads { get; } = [];

        /// <summary>The <see cref="PerfectSubtreeHash"/> the algorithms read, counting each read.</summary>
        public Hash32 Read(long start, long size)
        {
            var node = NodeId.FromRange(start, size);
            Reads.Add(node);
            return Hash(node);
        }

        private Hash32 Hash(NodeId node)
        {
            if (node.Level == 0)
            {
                Span<byte> data = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(data, node.Index);
                return MerkleHash.Leaf(data);
            }
            if (_remembered.TryGetValue(node, out var known))
                return known;
            var hash = MerkleHash.Node(
                Hash(new NodeId(node.Level - 1, 2 * node.Index)),
                Hash(new NodeId(node.Level - 1, 2 * node.Index + 1)));
            if (node.Level >= RememberFromLevel)
                _remembered[node] = hash;
            return hash;
        }
    }

    // 2·log2(n) + 2, rounded down since reads are whole.
    private static int Bound(long size) => (int)Math.Floor(2 * Math.Log2(size) + 2);

    [Fact]
    public void Inclusion_proofs_in_a_million_leaf_tree_read_at_most_2_log2_n_plus_2_nodes()
    {
        var tree = new VirtualTree();
        var root = MerkleMath.RootHash(Million, tree.Read);
        tree.Reads.Count.ShouldBe(BitOperations.PopCount((ulong)Million));
        var random = new Random(8);

        foreach (var index in new long[] { 0, 1, Million / 2, Million - 2, Million - 1 }.Concat(
            Enumerable.Range(0, 200).Select(_ => random.NextInt64(Million))))
        {
            tree.Reads.Clear();
            var proof = MerkleMath.InclusionProof(index, Million, tree.Read);

            tree.Reads.Count.ShouldBeLessThanOrEqualTo(Bound(Million), $"leaf {index}");
            tree.Reads.ShouldBeUnique();
            var leaf = tree.Read(index, 1);
            MerkleMath.VerifyInclusion(leaf, index, Million, proof, root).ShouldBeTrue($"leaf {index}");
        }
    }

    [Fact]
    public void Consistency_proofs_to_a_million_leaf_tree_read_at_most_2_log2_n_plus_2_nodes()
    {
        var tree = new VirtualTree();
        var newRoot = MerkleMath.RootHash(Million, tree.Read);
        var random = new Random(9);

        foreach (var oldSize in new long[] { 1, 2, 3, 524_287, 524_288, 524_289, Million - 1 }.Concat(
            Enumerable.Range(0, 100).Select(_ => random.NextInt64(1, Million))))
        {
            tree.Reads.Clear();
            var proof = MerkleMath.ConsistencyProof(oldSize, Million, tree.Read);

            tree.Reads.Count.ShouldBeLessThanOrEqualTo(Bound(Million), $"{oldSize} to {Million}");
            tree.Reads.ShouldBeUnique();
            var oldRoot = MerkleMath.RootHash(oldSize, tree.Read);
            MerkleMath.VerifyConsistency(oldSize, Million, oldRoot, newRoot, proof).ShouldBeTrue($"{oldSize} to {Million}");
        }
    }

    [Fact]
    public void Proofs_never_read_more_than_2_log2_n_plus_2_nodes_at_any_size()
    {
        // Exhaustive over small trees, where a bad constant would show first.
        for (long size = 1; size <= 300; size++)
        {
            for (long other = 0; other < size; other++)
            {
                MerkleMath.InclusionProofNodes(other, size).Length.ShouldBeLessThanOrEqualTo(Bound(size), $"leaf {other} of {size}");
                MerkleMath.ConsistencyProofNodes(other, size).Length.ShouldBeLessThanOrEqualTo(Bound(size), $"{other} to {size}");
            }
        }
        // Sizes of all ones are the worst case: the partial subtree on the right edge splits the most.
        foreach (var size in new[] { (1L << 20) - 1, (1L << 40) - 1, long.MaxValue })
        {
            MerkleMath.InclusionProofNodes(0, size).Length.ShouldBeLessThanOrEqualTo(Bound(size));
            MerkleMath.ConsistencyProofNodes(1, size).Length.ShouldBeLessThanOrEqualTo(Bound(size));
            MerkleMath.ConsistencyProofNodes(size / 3, size).Length.ShouldBeLessThanOrEqualTo(Bound(size));
        }
    }
}
