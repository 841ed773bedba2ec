using ChangeTrail.Domain.Ledger;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Ledger;

public class CompactRangeTests
{
    private const int MaxSize = 1100;

    private static readonly Hash32[] Leaves =
        [.. Enumerable.Range(0, MaxSize).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i)))];

    /// <summary>
    /// Every perfect subtree of the full tree, computed level by level from the leaves without any of
    /// the code under test: level l's node i hashes level l-1's nodes 2i and 2i+1.
    /// </summary>
    private static Dictionary<NodeId, Hash32> AllPerfectSubtrees(int size)
    {
        var nodes = new Dictionary<NodeId, Hash32>();
        var level = Leaves.Take(size).ToList();
        for (var l = 0; level.Count > 0; l++)
        {
            for (var i = 0; i < level.Count; i++)
                nodes[new NodeId(l, i)] = level[i];
            level = [.. Enumerable.Range(0, level.Count / 2).Select(i => MerkleHash.Node(level[2 * i], level[2 * i + 1]))];
        }
        return nodes;
    }

    [Fact]
    public void Appending_stores_exactly_the_nodes_a_full_computation_has()
    {
        var full = AllPerfectSubtrees(MaxSize);
        var range = new CompactRange();
        var stored = new Dictionary<NodeId, Hash32>();

        for (var n = 0; n < MaxSize; n++)
        {
            var completed = range.Append(Leaves[n]);

            // The nodes this append completed are those whose last leaf is leaf n, bottom-up.
            completed.Select(node => node.Id).ShouldBe(
                full.Keys.Where(id => id.End == n + 1).OrderBy(id => id.Level), $"append of leaf {n}");
            foreach (var node in completed)
            {
                node.Hash.ShouldBe(full[node.Id], $"node {node.Id}");
                stored.TryAdd(node.Id, node.Hash).ShouldBeTrue($"node {node.Id} stored twice");
            }
        }

        stored.Count.ShouldBe(full.Count);
    }

    [Fact]
    public void The_right_edge_after_each_append_is_the_root_decomposition_of_that_size()
    {
        var full = AllPerfectSubtrees(MaxSize);
        var range = new CompactRange();

        for (var size = 0; size <= MaxSize; size++)
        {
            range.Size.ShouldBe(size);
            range.Nodes.Select(node => node.Id).ShouldBe(MerkleMath.RootHashNodes(size), $"size {size}");
            range.Nodes.ShouldAllBe(node => node.Hash == full[node.Id]);
            range.RootHash().ShouldBe(NaiveMerkle.Mth(Leaves.AsSpan(0, size)), $"size {size}");
            if (size < MaxSize)
                range.Append(Leaves[size]);
        }
    }

    [Fact]
    public void Appends_do_amortised_constant_work()
    {
        var range = new CompactRange();
        var completed = Enumerable.Range(0, 1024).Sum(i => range.Append(Leaves[i]).Length);

        // 1024 leaves plus the 1023 interior nodes of a perfect tree over them.
        completed.ShouldBe(2047);
    }

    [Fact]
    public void A_range_resumed_from_stored_edge_nodes_appends_as_if_it_had_never_stopped()
    {
        var random = new Random(7);
        var tree = MerkleTree.FromLeafHashes(Leaves);
        for (var n = 0; n < 100; n++)
        {
            var size = random.Next(0, MaxSize - 40);
            var edge = MerkleMath.RootHashNodes(size).Select(id => tree.SubtreeHash(id.Start, id.Size)).ToArray();
            var fromNodes = CompactRange.FromNodes(size, edge);
            var fromSubtrees = CompactRange.FromSubtrees(size, tree.SubtreeHash);
            var uninterrupted = new CompactRange();
            for (var i = 0; i < size; i++)
                uninterrupted.Append(Leaves[i]);

            fromNodes.Nodes.ShouldBe(uninterrupted.Nodes);
            fromSubtrees.Nodes.ShouldBe(uninterrupted.Nodes);
            for (var i = size; i < size + 40; i++)
            {
                var expected = uninterrupted.Append(Leaves[i]);
                fromNodes.Append(Leaves[i]).ShouldBe(expected, $"leaf {i} after resuming at {size}");
                fromSubtrees.Append(Leaves[i]).ShouldBe(expected, $"leaf {i} after resuming at {size}");
            }
            fromNodes.RootHash().ShouldBe(tree.RootHash(size + 40));
        }
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(5, 1)]
    [InlineData(5, 3)]
    [InlineData(7, 2)]
    public void Resuming_from_the_wrong_number_of_edge_nodes_is_refused(int size, int count)
    {
        var hashes = Enumerable.Repeat(MerkleHash.Empty, count).ToArray();

        Should.Throw<ArgumentException>(() => CompactRange.FromNodes(size, hashes));
    }
}
