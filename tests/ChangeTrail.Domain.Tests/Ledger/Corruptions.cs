using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Domain.Tests.Ledger;

/// <summary>
/// Ways to spoil a valid proof, after corruptInclusionProof and corruptConsistencyProof in
/// transparency-dev/merkle, proof/verify_test.go. Every one of them must fail verification.
/// </summary>
internal static class Corruptions
{
    // sha256SomeHash in proof/verify_test.go: a well-formed hash that is no node of any test tree.
    public static readonly Hash32 SomeHash = Hash32.FromHex("abacaba000000000000000000000000000000000000000000060061e00123456");

    public sealed record InclusionProbe(string What, Hash32 Leaf, long Index, long Size, Hash32[] Proof, Hash32 Root);

    public sealed record ConsistencyProbe(string What, long OldSize, long NewSize, Hash32 OldRoot, Hash32 NewRoot, Hash32[] Proof);

    public static Hash32 Flip(Hash32 hash, int byteIndex, byte mask)
    {
        var bytes = hash.ToArray();
        bytes[byteIndex] ^= mask;
        return Hash32.FromBytes(bytes);
    }

    public static IEnumerable<InclusionProbe> Of(Hash32 leaf, long index, long size, Hash32[] proof, Hash32 root)
    {
        yield return new("index - 1", leaf, index - 1, size, proof, root);
        yield return new("index + 1", leaf, index + 1, size, proof, root);
        yield return new("index ^ 2", leaf, index ^ 2, size, proof, root);
        yield return new("size * 2", leaf, index, size * 2, proof, root);
        yield return new("size / 2", leaf, index, size / 2, proof, root);
        yield return new("wrong leaf", MerkleHash.Leaf("WrongLeaf"u8), index, size, proof, root);
        yield return new("flipped leaf", Flip(leaf, 31, 1), index, size, proof, root);
        yield return new("empty root", leaf, index, size, proof, MerkleHash.Empty);
        yield return new("random root", leaf, index, size, proof, SomeHash);
        yield return new("flipped root", leaf, index, size, proof, Flip(root, 0, 0x80));
        yield return new("trailing zeros", leaf, index, size, [.. proof, default], root);
        yield return new("trailing root", leaf, index, size, [.. proof, root], root);
        yield return new("preceding zeros", leaf, index, size, [default, .. proof], root);
        yield return new("preceding root", leaf, index, size, [root, .. proof], root);
        for (var i = 0; i < proof.Length; i++)
        {
            var flipped = proof.ToArray();
            flipped[i] = Flip(flipped[i], 0, 8);
            yield return new($"proof[{i}] bit 3 flipped", leaf, index, size, flipped, root);
        }
        if (proof.Length > 0)
            yield return new("last hash removed", leaf, index, size, proof[..^1], root);
        if (proof.Length > 1)
            yield return new("hash inserted", leaf, index, size, [proof[0], SomeHash, .. proof[1..]], root);
    }

    public static IEnumerable<ConsistencyProbe> Of(long oldSize, long newSize, Hash32 oldRoot, Hash32 newRoot, Hash32[] proof)
    {
        var wrongRoot = MerkleHash.Leaf("WrongRoot"u8);
        yield return new("old size - 1", oldSize - 1, newSize, oldRoot, newRoot, proof);
        yield return new("old size + 1", oldSize + 1, newSize, oldRoot, newRoot, proof);
        yield return new("old size ^ 2", oldSize ^ 2, newSize, oldRoot, newRoot, proof);
        yield return new("new size * 2", oldSize, newSize * 2, oldRoot, newRoot, proof);
        yield return new("new size / 2", oldSize, newSize / 2, oldRoot, newRoot, proof);
        yield return new("wrong old root", oldSize, newSize, wrongRoot, newRoot, proof);
        yield return new("wrong new root", oldSize, newSize, oldRoot, wrongRoot, proof);
        yield return new("flipped old root", oldSize, newSize, Flip(oldRoot, 17, 4), newRoot, proof);
        yield return new("flipped new root", oldSize, newSize, oldRoot, Flip(newRoot, 17, 4), proof);
        yield return new("swapped roots", oldSize, newSize, newRoot, oldRoot, proof);
        yield return new("empty proof", oldSize, newSize, oldRoot, newRoot, []);
        yield return new("trailing zeros", oldSize, newSize, oldRoot, newRoot, [.. proof, default]);
        yield return new("trailing old root", oldSize, newSize, oldRoot, newRoot, [.. proof, oldRoot]);
        yield return new("trailing new root", oldSize, newSize, oldRoot, newRoot, [.. proof, newRoot]);
        yield return new("preceding zeros", oldSize, newSize, oldRoot, newRoot, [default, .. proof]);
        yield return new("preceding old root", oldSize, newSize, oldRoot, newRoot, [oldRoot, .. proof]);
        yield return new("preceding new root", oldSize, newSize, oldRoot, newRoot, [newRoot, .. proof]);
        yield return new("preceding proof[0]", oldSize, newSize, oldRoot, newRoot, [proof[0], .. proof]);
        yield return new("last hash removed", oldSize, newSize, oldRoot, newRoot, proof[..^1]);
        for (var i = 0; i < proof.Length; i++)
        {
            var flipped = proof.ToArray();
            flipped[i] = Flip(flipped[i], 0, 16);
            yield return new($"proof[{i}] bit 4 flipped", oldSize, newSize, oldRoot, newRoot, flipped);
        }
    }

    public static bool Verifies(InclusionProbe p) => MerkleMath.VerifyInclusion(p.Leaf, p.Index, p.Size, p.Proof, p.Root);

    public static bool Verifies(ConsistencyProbe p) => MerkleMath.VerifyConsistency(p.OldSize, p.NewSize, p.OldRoot, p.NewRoot, p.Proof);
}
