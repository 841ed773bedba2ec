using ChangeTrail.Domain.Ledger;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Ledger;

/// <summary>
/// Seeded random trees checked against <see cref="NaiveMerkle"/>, the RFC's definitions taken
/// literally: proofs built from stored subtrees are the RFC's proofs, they verify, and they stop
/// verifying when any hash, the index or a size changes.
/// </summary>
public class MerklePropertyTests
{
    private const int MaxSize = 3000;
    private const int SmallSize = 64;
    private const int Cases = 200;

    private static readonly Hash32[] Leaves = MakeLeaves();
    private static readonly MerkleTree Tree = MerkleTree.FromLeafHashes(Leaves);

    private static Hash32[] MakeLeaves()
    {
        var random = new Random(9162);
        return [.. Enumerable.Range(0, MaxSize).Select(_ =>
        {
            var data = new byte[random.Next(0, 48)];
            random.NextBytes(data);
            return MerkleHash.Leaf(data);
        })];
    }

    private static Hash32 FlipRandomBit(Hash32 hash, Random random) =>
        Corruptions.Flip(hash, random.Next(Hash32.Length), (byte)(1 << random.Next(8)));

    [Fact]
    public void Roots_from_stored_subtrees_equal_the_rfc_recursion()
    {
        var random = new Random(1);
        int[] edges = [0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 1023, 1024, 1025, 2047, 2048, 2049, MaxSize];
        var range = new CompactRange();
        var appended = 0;
        foreach (var size in edges.Concat(Enumerable.Range(0, Cases).Select(_ => random.Next(MaxSize + 1))).Order())
        {
            while (appended < size)
                range.Append(Leaves[appended++]);
            var expected = NaiveMerkle.Mth(Leaves.AsSpan(0, size));

            Tree.RootHash(size).ShouldBe(expected, $"size {size} from stored subtrees");
            range.RootHash().ShouldBe(expected, $"size {size} from the right edge");
        }
    }

    [Fact]
    public void Every_inclusion_proof_in_small_trees_is_the_rfc_path_and_verifies()
    {
        for (var size = 1; size <= SmallSize; size++)
        {
            var root = Tree.RootHash(size);
            for (var index = 0; index < size; index++)
            {
                var proof = Tree.InclusionProof(index, size);

                proof.ShouldBe(NaiveMerkle.Path(index, Leaves.AsSpan(0, size)), $"leaf {index} of {size}");
                MerkleMath.VerifyInclusion(Leaves[index], index, size, proof, root).ShouldBeTrue($"leaf {index} of {size}");
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_between_small_trees_is_the_rfc_proof_and_verifies()
    {
        for (var newSize = 0; newSize <= SmallSize; newSize++)
        {
            for (var oldSize = 0; oldSize <= newSize; oldSize++)
            {
                var proof = Tree.ConsistencyProof(oldSize, newSize);

                if (oldSize > 0)
                    proof.ShouldBe(NaiveMerkle.Proof(oldSize, Leaves.AsSpan(0, newSize)), $"{oldSize} to {newSize}");
                else
                    proof.ShouldBeEmpty();
                MerkleMath.VerifyConsistency(oldSize, newSize, Tree.RootHash(oldSize), Tree.RootHash(newSize), proof)
                    .ShouldBeTrue($"{oldSize} to {newSize}");
            }
        }
    }

    [Fact]
    public void Random_inclusion_proofs_are_the_rfc_path_and_verify()
    {
        var random = new Random(2);
        for (var n = 0; n < Cases; n++)
        {
            var size = random.Next(1, MaxSize + 1);
            var index = random.Next(size);
            var proof = Tree.InclusionProof(index, size);

            proof.ShouldBe(NaiveMerkle.Path(index, Leaves.AsSpan(0, size)), $"leaf {index} of {size}");
            MerkleMath.VerifyInclusion(Leaves[index], index, size, proof, Tree.RootHash(size)).ShouldBeTrue($"leaf {index} of {size}");
            MerkleMath.TryRootFromInclusionProof(Leaves[index], index, size, proof, out var root).ShouldBeTrue();
            root.ShouldBe(Tree.RootHash(size));
        }
    }

    [Fact]
    public void Random_inclusion_proofs_fail_once_a_hash_the_index_or_the_size_changes()
    {
        var random = new Random(3);
        for (var n = 0; n < Cases; n++)
        {
            var size = random.Next(1, MaxSize + 1);
            var index = random.Next(size);
            var leaf = Leaves[index];
            var proof = Tree.InclusionProof(index, size);
            var root = Tree.RootHash(size);
            var where = $"leaf {index} of {size}";

            Corruptions.Of(leaf, index, size, proof, root).Where(Corruptions.Verifies).Select(p => p.What)
                .ShouldBeEmpty($"{where}: these corruptions verified");
            for (var i = 0; i < proof.Length; i++)
            {
                var tampered = proof.ToArray();
                tampered[i] = FlipRandomBit(tampered[i], random);
                MerkleMath.VerifyInclusion(leaf, index, size, tampered, root).ShouldBeFalse($"{where}, proof[{i}] flipped");
            }
            MerkleMath.VerifyInclusion(FlipRandomBit(leaf, random), index, size, proof, root).ShouldBeFalse($"{where}, leaf flipped");
            MerkleMath.VerifyInclusion(leaf, index, size, proof, FlipRandomBit(root, random)).ShouldBeFalse($"{where}, root flipped");
            for (var k = 0; k < 8; k++)
            {
                var other = random.Next(size);
                if (other != index)
                    MerkleMath.VerifyInclusion(leaf, other, size, proof, root).ShouldBeFalse($"{where}, claimed at {other}");
            }
            // The proof binds the size through the root, so a different size is checked against that size's root.
            foreach (var otherSize in new[] { size - 1, size + 1, random.Next(index + 1, MaxSize + 1) })
            {
                if (otherSize != size && otherSize > index && otherSize <= MaxSize)
                {
                    MerkleMath.VerifyInclusion(leaf, index, otherSize, proof, Tree.RootHash(otherSize))
                        .ShouldBeFalse($"{where}, claimed in a tree of {otherSize}");
                }
            }
        }
    }

    [Fact]
    public void Random_consistency_proofs_are_the_rfc_proof_and_verify()
    {
        var random = new Random(4);
        for (var n = 0; n < Cases; n++)
        {
            var newSize = random.Next(1, MaxSize + 1);
            var oldSize = random.Next(1, newSize + 1);
            var proof = Tree.ConsistencyProof(oldSize, newSize);

            proof.ShouldBe(NaiveMerkle.Proof(oldSize, Leaves.AsSpan(0, newSize)), $"{oldSize} to {newSize}");
            MerkleMath.VerifyConsistency(oldSize, newSize, Tree.RootHash(oldSize), Tree.RootHash(newSize), proof)
                .ShouldBeTrue($"{oldSize} to {newSize}");
        }
    }

    [Fact]
    public void Random_consistency_proofs_fail_once_a_hash_or_a_size_changes()
    {
        var random = new Random(5);
        for (var n = 0; n < Cases; n++)
        {
            var newSize = random.Next(2, MaxSize + 1);
            var oldSize = random.Next(1, newSize);
            var proof = Tree.ConsistencyProof(oldSize, newSize);
            var oldRoot = Tree.RootHash(oldSize);
            var newRoot = Tree.RootHash(newSize);
            var where = $"{oldSize} to {newSize}";

            Corruptions.Of(oldSize, newSize, oldRoot, newRoot, proof).Where(Corruptions.Verifies).Select(p => p.What)
                .ShouldBeEmpty($"{where}: these corruptions verified");
            for (var i = 0; i < proof.Length; i++)
            {
                var tampered = proof.ToArray();
                tampered[i] = FlipRandomBit(tampered[i], random);
                MerkleMath.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, tampered).ShouldBeFalse($"{where}, proof[{i}] flipped");
            }
            MerkleMath.VerifyConsistency(oldSize, newSize, FlipRandomBit(oldRoot, random), newRoot, proof).ShouldBeFalse($"{where}, old root flipped");
            MerkleMath.VerifyConsistency(oldSize, newSize, oldRoot, FlipRandomBit(newRoot, random), proof).ShouldBeFalse($"{where}, new root flipped");
            // Other sizes, each with its own true root: the proof is for these two trees only.
            foreach (var (otherOld, otherNew) in new[]
            {
                (oldSize - 1, newSize), (oldSize + 1, newSize), (oldSize, newSize - 1), (oldSize, newSize + 1),
                (random.Next(1, newSize), newSize), (oldSize, random.Next(oldSize, MaxSize + 1)),
            })
            {
                if ((otherOld, otherNew) != (oldSize, newSize) && otherOld >= 1 && otherOld < otherNew && otherNew <= MaxSize)
                {
                    MerkleMath.VerifyConsistency(otherOld, otherNew, Tree.RootHash(otherOld), Tree.RootHash(otherNew), proof)
                        .ShouldBeFalse($"{where}, claimed for {otherOld} to {otherNew}");
                }
            }
        }
    }

    [Fact]
    public void Proofs_built_from_nodes_fetched_up_front_equal_proofs_built_from_the_tree()
    {
        var random = new Random(6);
        for (var n = 0; n < Cases; n++)
        {
            var size = random.Next(1, MaxSize + 1);
            var index = random.Next(size);
            var oldSize = random.Next(0, size + 1);

            // What a store does: list the nodes, fetch them in one query, answer from what it fetched.
            var fetched = MerkleMath.InclusionProofNodes(index, size)
                .Concat(MerkleMath.ConsistencyProofNodes(oldSize, size))
                .Concat(MerkleMath.RootHashNodes(size))
                .Distinct()
                .ToDictionary(node => node, node => Tree.SubtreeHash(node.Start, node.Size));
            Hash32 FromFetched(long start, long length) => fetched[NodeId.FromRange(start, length)];

            MerkleMath.InclusionProof(index, size, FromFetched).ShouldBe(Tree.InclusionProof(index, size));
            MerkleMath.ConsistencyProof(oldSize, size, FromFetched).ShouldBe(Tree.ConsistencyProof(oldSize, size));
            MerkleMath.RootHash(size, FromFetched).ShouldBe(Tree.RootHash(size));
        }
    }

    [Fact]
    public void Generating_a_proof_for_a_leaf_or_size_outside_the_tree_is_a_programming_error()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleMath.InclusionProof(5, 5, Tree.SubtreeHash));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleMath.InclusionProof(-1, 5, Tree.SubtreeHash));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleMath.InclusionProof(0, 0, Tree.SubtreeHash));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleMath.ConsistencyProof(6, 5, Tree.SubtreeHash));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleMath.ConsistencyProof(-1, 5, Tree.SubtreeHash));
        Should.Throw<ArgumentOutOfRangeException>(() => MerkleMath.RootHash(-1, Tree.SubtreeHash));
        Should.Throw<ArgumentOutOfRangeException>(() => Tree.RootHash(MaxSize + 1));
        Should.Throw<ArgumentOutOfRangeException>(() => Tree.SubtreeHash(MaxSize - MaxSize % 4, 4));
        Should.Throw<ArgumentException>(() => Tree.SubtreeHash(2, 4));
        Should.Throw<ArgumentException>(() => Tree.SubtreeHash(0, 3));
    }
}
