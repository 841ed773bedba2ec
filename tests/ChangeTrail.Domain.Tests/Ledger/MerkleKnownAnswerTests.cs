using ChangeTrail.Domain.Ledger;
using Shouldly;
using static ChangeTrail.Domain.Tests.Ledger.ReferenceVectors;

namespace ChangeTrail.Domain.Tests.Ledger;

/// <summary>
/// Published Certificate Transparency vectors from transparency-dev/merkle (see
/// <see cref="ReferenceVectors"/> for the tree; each theory names the file its rows come from).
/// </summary>
public class MerkleKnownAnswerTests
{
    [Fact]
    public void Empty_tree_hash_is_sha256_of_no_bytes()
    {
        MerkleHash.Empty.ShouldBe(H(EmptyRoot));
        new MerkleTree().RootHash().ShouldBe(H(EmptyRoot));
        MerkleMath.RootHash(0, (_, _) => throw new InvalidOperationException("no node should be read")).ShouldBe(H(EmptyRoot));
    }

    [Fact]
    public void Leaf_hashes_of_the_reference_inputs_are_the_published_level_0_nodes()
    {
        for (var i = 0; i < LeafInputs.Length; i++)
            LeafHash(i).ShouldBe(H(NodeHashes[0][i]), $"leaf {i}");
    }

    [Fact]
    public void Every_perfect_subtree_of_the_reference_tree_has_the_published_hash()
    {
        var tree = Tree(8);
        for (var level = 0; level < NodeHashes.Length; level++)
        {
            for (var index = 0; index < NodeHashes[level].Length; index++)
            {
                var node = new NodeId(level, index);
                tree.SubtreeHash(node.Start, node.Size).ShouldBe(H(NodeHashes[level][index]), $"node {node}");
            }
        }
    }

    [Fact]
    public void Roots_of_the_reference_tree_are_the_published_roots_at_every_size()
    {
        var full = Tree(8);
        var leaves = Enumerable.Range(0, 8).Select(LeafHash).ToArray();
        for (var size = 0; size <= 8; size++)
        {
            full.RootHash(size).ShouldBe(Root(size), $"size {size} from stored subtrees");
            Tree(size).RootHash().ShouldBe(Root(size), $"size {size} from the right edge");
            NaiveMerkle.Mth(leaves.AsSpan(0, size)).ShouldBe(Root(size), $"size {size} from the RFC's recursion");
        }
    }

    [Fact]
    public void Compact_ranges_of_the_reference_tree_are_the_published_ones_at_every_size()
    {
        var range = new CompactRange();
        for (var size = 0; size <= 8; size++)
        {
            var expected = CompactTrees[size].Select(n => new MerkleNode(n.Level, n.Index, H(NodeHashes[n.Level][n.Index])));
            range.Nodes.ShouldBe(expected, $"size {size}");
            range.RootHash().ShouldBe(Root(size), $"size {size}");
            if (size < 8)
                range.Append(LeafHash(size));
        }
    }

    // TestRefInclusionProof in transparency-dev/merkle, testonly/reference_test.go (commit
    // 141d627eab770a7e9a2514f46a8b6338e6d90874); the same proofs, numbered from 1, are the
    // inclusionProofs of proof/verify_test.go (commit 02194e9afb6c1d95b5381350007963aa70fff472).
    public static readonly TheoryData<int, int, string[]> PublishedInclusionProofs = new()
    {
        { 0, 1, [] },
        { 0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"] },
        { 1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"] },
        { 2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
        {
            1, 5,
            [
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
        {
            0, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            5, 8,
            [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(PublishedInclusionProofs))]
    public void Inclusion_proofs_are_the_published_ones_and_verify(int index, int size, string[] published)
    {
        var expected = Hashes(published);

        Tree(8).InclusionProof(index, size).ShouldBe(expected);
        Tree(size).InclusionProof(index, size).ShouldBe(expected);
        MerkleMath.VerifyInclusion(LeafHash(index), index, size, expected, Root(size)).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(PublishedInclusionProofs))]
    public void Every_corruption_of_a_published_inclusion_proof_is_refused(int index, int size, string[] published)
    {
        var verified = Corruptions.Of(LeafHash(index), index, size, Hashes(published), Root(size))
            .Where(probe => Corruptions.Verifies(probe))
            .Select(probe => probe.What);

        verified.ShouldBeEmpty("these corruptions verified");
    }

    // consistencyProofs in transparency-dev/merkle, proof/verify_test.go (commit
    // 02194e9afb6c1d95b5381350007963aa70fff472); also TestRefConsistencyProof in testonly/reference_test.go.
    public static readonly TheoryData<int, int, string[]> PublishedConsistencyProofs = new()
    {
        { 1, 1, [] },
        {
            1, 8,
            [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ]
        },
        {
            6, 8,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
        {
            2, 5,
            [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ]
        },
        {
            6, 7,
            [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(PublishedConsistencyProofs))]
    public void Consistency_proofs_are_the_published_ones_and_verify(int oldSize, int newSize, string[] published)
    {
        var expected = Hashes(published);

        Tree(8).ConsistencyProof(oldSize, newSize).ShouldBe(expected);
        Tree(newSize).ConsistencyProof(oldSize, newSize).ShouldBe(expected);
        MerkleMath.VerifyConsistency(oldSize, newSize, Root(oldSize), Root(newSize), expected).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(PublishedConsistencyProofs))]
    public void Every_corruption_of_a_published_consistency_proof_is_refused(int oldSize, int newSize, string[] published)
    {
        if (published.Length == 0)
        {
            // Equal sizes: nothing to corrupt but the roots, or an added hash.
            MerkleMath.VerifyConsistency(oldSize, newSize, Root(oldSize), Root(newSize), [Corruptions.SomeHash]).ShouldBeFalse();
            MerkleMath.VerifyConsistency(oldSize, newSize, Root(oldSize), Corruptions.SomeHash, []).ShouldBeFalse();
            return;
        }

        var verified = Corruptions.Of(oldSize, newSize, Root(oldSize), Root(newSize), Hashes(published))
            .Where(probe => Corruptions.Verifies(probe))
            .Select(probe => probe.What);

        verified.ShouldBeEmpty("these corruptions verified");
    }

    // TestInclusion in transparency-dev/merkle, proof/proof_test.go (commit
    // 02a3e2029520f515596d5238c54fb0ac9e19bff4): the stored nodes, as level/index, an inclusion proof
    // is built from. Where that file rehashes several nodes into one proof hash, the nodes still match.
    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 2, "0/1")]
    [InlineData(1, 2, "0/0")]
    [InlineData(1, 3, "0/0", "0/2")]
    [InlineData(0, 7, "0/1", "1/1", "0/6", "1/2")]
    [InlineData(1, 7, "0/0", "1/1", "0/6", "1/2")]
    [InlineData(2, 7, "0/3", "1/0", "0/6", "1/2")]
    [InlineData(3, 7, "0/2", "1/0", "0/6", "1/2")]
    [InlineData(4, 7, "0/5", "0/6", "2/0")]
    [InlineData(5, 7, "0/4", "0/6", "2/0")]
    [InlineData(6, 7, "1/2", "2/0")]
    [InlineData(2, 4, "0/3", "1/0")]
    [InlineData(3, 5, "0/2", "1/0", "0/4")]
    [InlineData(3, 6, "0/2", "1/0", "1/2")]
    [InlineData(4, 6, "0/5", "2/0")]
    [InlineData(10, 15, "0/11", "1/4", "0/14", "1/6", "3/0")]
    [InlineData(24, 31, "0/25", "1/13", "0/30", "1/14", "3/2", "4/0")]
    [InlineData(81, 95, "0/80", "1/41", "2/21", "0/94", "1/46", "2/22", "4/4", "6/0")]
    public void Inclusion_proofs_read_exactly_the_published_stored_nodes(int index, int size, params string[] nodes)
    {
        var read = MerkleMath.InclusionProofNodes(index, size).Select(n => n.ToString()).ToArray();

        read.ShouldBe(nodes, ignoreOrder: true);
    }

    // TestConsistency in transparency-dev/merkle, proof/proof_test.go (commit 02a3e2029520f515596d5238c54fb0ac9e19bff4).
    [Theory]
    [InlineData(1, 2, "0/1")]
    [InlineData(1, 4, "0/1", "1/1")]
    [InlineData(1, 6, "0/1", "1/1", "1/2")]
    [InlineData(2, 3, "0/2")]
    [InlineData(2, 8, "1/1", "2/1")]
    [InlineData(3, 7, "0/2", "0/3", "1/0", "0/6", "1/2")]
    [InlineData(4, 7, "0/6", "1/2")]
    [InlineData(5, 7, "0/4", "0/5", "0/6", "2/0")]
    [InlineData(6, 7, "1/2", "0/6", "2/0")]
    [InlineData(7, 8, "0/6", "0/7", "1/2", "2/0")]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(5, 5)]
    [InlineData(7, 7)]
    [InlineData(8, 8)]
    [InlineData(2, 4, "1/1")]
    [InlineData(3, 5, "0/2", "0/3", "1/0", "0/4")]
    [InlineData(3, 6, "0/2", "0/3", "1/0", "1/2")]
    [InlineData(4, 6, "1/2")]
    [InlineData(1, 7, "0/1", "1/1", "0/6", "1/2")]
    [InlineData(10, 15, "1/4", "1/5", "0/14", "1/6", "3/0")]
    [InlineData(24, 31, "3/2", "0/30", "1/14", "2/6", "4/0")]
    [InlineData(81, 95, "0/80", "0/81", "1/41", "2/21", "0/94", "1/46", "2/22", "4/4", "6/0")]
    public void Consistency_proofs_read_exactly_the_published_stored_nodes(int oldSize, int newSize, params string[] nodes)
    {
        var read = MerkleMath.ConsistencyProofNodes(oldSize, newSize).Select(n => n.ToString()).ToArray();

        read.ShouldBe(nodes, ignoreOrder: true);
    }

    // TestVerifyInclusionSingleEntry in proof/verify_test.go: in a one-leaf tree the root is the leaf hash.
    [Fact]
    public void A_one_leaf_tree_proves_its_leaf_with_an_empty_proof()
    {
        var hash = MerkleHash.Leaf("data"u8);

        MerkleMath.VerifyInclusion(hash, 0, 1, [], hash).ShouldBeTrue();
        MerkleMath.VerifyInclusion(hash, 0, 1, [], MerkleHash.Empty).ShouldBeFalse();
        MerkleMath.VerifyInclusion(MerkleHash.Empty, 0, 1, [], hash).ShouldBeFalse();
    }

    // TestVerifyInclusion in proof/verify_test.go: an index outside the tree never verifies.
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(-1, 1)]
    [InlineData(0, -1)]
    public void Inclusion_of_an_index_outside_the_tree_is_refused(int index, int size)
    {
        MerkleMath.VerifyInclusion(Corruptions.SomeHash, index, size, [], MerkleHash.Empty).ShouldBeFalse();
        MerkleMath.VerifyInclusion(Corruptions.SomeHash, index, size, [], Corruptions.SomeHash).ShouldBeFalse();
        MerkleMath.TryRootFromInclusionProof(Corruptions.SomeHash, index, size, [], out _).ShouldBeFalse();
    }

    // TestVerifyConsistency in proof/verify_test.go. That file accepts any root for an empty old tree;
    // here an empty tree's root must be the empty-tree hash, so those rows use it.
    [Theory]
    [InlineData(0, 0, "empty", "empty", 0, true)]
    [InlineData(0, 0, "empty", "root1", 0, false)]
    [InlineData(0, 0, "root1", "root1", 0, false)]
    [InlineData(0, 1, "empty", "root2", 0, true)]
    [InlineData(0, 1, "root1", "root2", 0, false)]
    [InlineData(1, 1, "root1", "root2", 0, false)]
    [InlineData(1, 1, "root2", "root2", 0, true)]
    [InlineData(1, 0, "root1", "root2", 0, false)]
    [InlineData(2, 1, "root1", "root2", 0, false)]
    [InlineData(1, 2, "root1", "root2", 0, false)]
    [InlineData(-1, 2, "root1", "root2", 0, false)]
    [InlineData(1, 1, "empty", "root2", 0, false)]
    [InlineData(0, 0, "empty", "empty", 1, false)]
    [InlineData(0, 1, "empty", "empty", 1, false)]
    [InlineData(1, 1, "empty", "empty", 1, false)]
    public void Consistency_of_trivial_sizes_needs_an_empty_proof_and_matching_roots(
        int oldSize, int newSize, string oldRoot, string newRoot, int proofLength, bool verifies)
    {
        Hash32 Named(string name) => name switch
        {
            "empty" => MerkleHash.Empty,
            "root1" => MerkleHash.Leaf("don't care 1"u8),
            _ => MerkleHash.Leaf("don't care 2"u8),
        };
        var proof = Enumerable.Repeat(MerkleHash.Empty, proofLength).ToArray();

        MerkleMath.VerifyConsistency(oldSize, newSize, Named(oldRoot), Named(newRoot), proof).ShouldBe(verifies);
    }
}
