using System.Security.Cryptography;
using ChangeTrail.Domain.Ledger;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Ledger;

public class HashingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(100_000)]
    public void A_leaf_hash_is_sha256_of_0x00_then_the_data(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);

        MerkleHash.Leaf(data).ShouldBe(Hash32.FromBytes(SHA256.HashData([0x00, .. data])));
    }

    [Fact]
    public void A_node_hash_is_sha256_of_0x01_then_left_then_right()
    {
        var left = MerkleHash.Leaf("left"u8);
        var right = MerkleHash.Leaf("right"u8);

        MerkleHash.Node(left, right).ShouldBe(Hash32.FromBytes(SHA256.HashData([0x01, .. left.ToArray(), .. right.ToArray()])));
        MerkleHash.Node(right, left).ShouldNotBe(MerkleHash.Node(left, right));
    }

    [Fact]
    public void A_hash_round_trips_through_bytes_hex_and_base64()
    {
        var hash = MerkleHash.Leaf("round trip"u8);

        Hash32.FromBytes(hash.ToArray()).ShouldBe(hash);
        Hash32.FromHex(hash.ToHex()).ShouldBe(hash);
        Hash32.FromHex(hash.ToHex().ToUpperInvariant()).ShouldBe(hash);
        Hash32.FromBase64(hash.ToBase64()).ShouldBe(hash);
        hash.ToHex().ShouldBe(Convert.ToHexStringLower(hash.ToArray()));
        hash.ToBase64().ShouldBe(Convert.ToBase64String(hash.ToArray()));
        hash.ToString().ShouldBe(hash.ToHex());
    }

    [Fact]
    public void The_bytes_of_a_hash_are_the_digest_in_order()
    {
        // The first test leaf of the CT reference tree (transparency-dev/merkle testonly/constants.go).
        const string hex = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";

        MerkleHash.Leaf([]).ToArray().ShouldBe(Convert.FromHexString(hex));
        MerkleHash.Leaf([]).ToBase64().ShouldBe("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Anything_but_32_bytes_is_not_a_hash(int length)
    {
        var bytes = new byte[length];
        var hex = Convert.ToHexString(bytes);
        var base64 = Convert.ToBase64String(bytes);

        Hash32.TryFromBytes(bytes, out _).ShouldBeFalse();
        Hash32.TryFromHex(hex, out _).ShouldBeFalse();
        Hash32.TryFromBase64(base64, out _).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => Hash32.FromBytes(bytes));
        Should.Throw<FormatException>(() => Hash32.FromHex(hex));
        Should.Throw<FormatException>(() => Hash32.FromBase64(base64));
    }

    [Theory]
    [InlineData("zz340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")]
    [InlineData(" 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01")]
    [InlineData("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d0")]
    public void Malformed_hex_is_not_a_hash(string hex)
    {
        Hash32.TryFromHex(hex, out _).ShouldBeFalse();
    }

    [Fact]
    public void Hashes_are_equal_exactly_when_their_bytes_are()
    {
        var a = MerkleHash.Leaf("a"u8);
        var sameAsA = Hash32.FromBytes(a.ToArray());

        (a == sameAsA).ShouldBeTrue();
        a.Equals((object)sameAsA).ShouldBeTrue();
        a.GetHashCode().ShouldBe(sameAsA.GetHashCode());
        for (var i = 0; i < Hash32.Length; i++)
            (Corruptions.Flip(a, i, 0x01) != a).ShouldBeTrue($"byte {i}");
    }

    [Fact]
    public void Node_ids_name_aligned_power_of_two_ranges()
    {
        NodeId.FromRange(16, 8).ShouldBe(new NodeId(3, 2));
        new NodeId(3, 2).Start.ShouldBe(16);
        new NodeId(3, 2).End.ShouldBe(24);
        NodeId.FromRange(7, 1).ShouldBe(new NodeId(0, 7));
        Should.Throw<ArgumentException>(() => NodeId.FromRange(4, 8));
        Should.Throw<ArgumentException>(() => NodeId.FromRange(0, 6));
        Should.Throw<ArgumentException>(() => NodeId.FromRange(0, 0));
        Should.Throw<ArgumentException>(() => NodeId.FromRange(-8, 8));
    }
}
