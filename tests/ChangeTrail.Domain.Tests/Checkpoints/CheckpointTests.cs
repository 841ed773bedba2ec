using ChangeTrail.Domain.Ledger.Checkpoints;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Checkpoints;

public class CheckpointTests
{
    private static readonly byte[] Root = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly string RootBase64 = Convert.ToBase64String(Root);

    [Fact]
    public void Format_writes_origin_tree_size_and_base64_root_hash_each_on_its_own_line()
    {
        var checkpoint = new Checkpoint("changetrail.example/ledger", 20852163, Root);

        checkpoint.Format().ShouldBe($"changetrail.example/ledger\n20852163\n{RootBase64}\n");
    }

    [Fact]
    public void Format_appends_extension_lines_after_the_root_hash()
    {
        var checkpoint = new Checkpoint("o", 1, Root, ["ext one", "ext two"]);

        checkpoint.Format().ShouldBe($"o\n1\n{RootBase64}\next one\next two\n");
    }

    [Fact]
    public void The_c2sp_example_checkpoint_body_parses()
    {
        // The example at the top of c2sp.org/tlog-checkpoint (repository C2SP/C2SP, tlog-checkpoint.md).
        const string body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

        var checkpoint = Checkpoint.Parse(body).Value.ShouldNotBeNull();

        checkpoint.Origin.ShouldBe("example.com/behind-the-sofa");
        checkpoint.TreeSize.ShouldBe(20852163);
        Convert.ToBase64String(checkpoint.RootHash).ShouldBe("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
        checkpoint.Extensions.ShouldBeEmpty();
        checkpoint.Format().ShouldBe(body);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(1234567890123L)]
    [InlineData(long.MaxValue)]
    public void Format_then_parse_gives_back_an_equal_checkpoint(long size)
    {
        var checkpoint = new Checkpoint("changetrail.example/ledger", size, Root, ["— extension"]);

        var parsed = Checkpoint.Parse(checkpoint.Format());

        parsed.IsSuccess.ShouldBeTrue(parsed.Detail);
        parsed.Value.ShouldBe(checkpoint);
        parsed.Value.GetHashCode().ShouldBe(checkpoint.GetHashCode());
        parsed.Value.Format().ShouldBe(checkpoint.Format());
    }

    [Fact]
    public void Checkpoints_with_different_root_hashes_are_not_equal()
    {
        var other = (byte[])Root.Clone();
        other[31] ^= 1;

        new Checkpoint("o", 1, Root).ShouldNotBe(new Checkpoint("o", 1, other));
    }

    [Fact]
    public void The_checkpoint_keeps_its_own_copy_of_the_root_hash()
    {
        var hash = (byte[])Root.Clone();
        var checkpoint = new Checkpoint("o", 1, hash);

        hash[0] ^= 0xff;

        checkpoint.RootHash.ToArray().ShouldBe(Root);
    }

    [Fact]
    public void ToString_shows_the_root_hash_in_base64()
    {
        new Checkpoint("o", 7, Root).ToString().ShouldContain(RootBase64);
    }

    public static TheoryData<string, string, CheckpointError> MalformedBodies => new()
    {
        { "empty", "", CheckpointError.MissingLines },
        { "origin only", "o\n", CheckpointError.MissingLines },
        { "no root hash line", "o\n5\n", CheckpointError.MissingLines },
        { "no final newline", $"o\n5\n{RootBase64}", CheckpointError.MissingFinalNewline },
        { "empty origin", $"\n5\n{RootBase64}\n", CheckpointError.EmptyOrigin },
        { "empty size", $"o\n\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "hexadecimal size", $"o\n0x10\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "negative size", $"o\n-1\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "signed size", $"o\n+1\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "leading zero", $"o\n05\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "size with spaces", $"o\n 5\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "size with thousands separator", $"o\n1,000\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "non-ASCII digits", $"o\n\u0665\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "size beyond 64 bits", $"o\n99999999999999999999\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "size beyond signed 64 bits", $"o\n9223372036854775808\n{RootBase64}\n", CheckpointError.InvalidTreeSize },
        { "empty root hash", "o\n5\n\n", CheckpointError.InvalidRootHashEncoding },
        { "root hash not base64", "o\n5\nnot base64!\n", CheckpointError.InvalidRootHashEncoding },
        { "root hash in hex (valid base64 of 48 bytes)", $"o\n5\n{Convert.ToHexString(Root)}\n", CheckpointError.WrongRootHashLength },
        { "root hash unpadded", $"o\n5\n{RootBase64.TrimEnd('=')}\n", CheckpointError.InvalidRootHashEncoding },
        { "root hash url-safe base64", "o\n5\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", CheckpointError.InvalidRootHashEncoding },
        { "root hash with non-zero padding bits", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", CheckpointError.InvalidRootHashEncoding },
        { "root hash with a space", $"o\n5\n{RootBase64[..8]} {RootBase64[8..]}\n", CheckpointError.InvalidRootHashEncoding },
        { "root hash of 31 bytes", $"o\n5\n{Convert.ToBase64String(Root[..31])}\n", CheckpointError.WrongRootHashLength },
        { "root hash of 33 bytes", $"o\n5\n{Convert.ToBase64String([.. Root, 0])}\n", CheckpointError.WrongRootHashLength },
        { "root hash of 48 bytes (SHA-384)", $"o\n5\n{Convert.ToBase64String(new byte[48])}\n", CheckpointError.WrongRootHashLength },
        { "empty extension line", $"o\n5\n{RootBase64}\n\n", CheckpointError.EmptyExtensionLine },
        { "empty line between extensions", $"o\n5\n{RootBase64}\na\n\nb\n", CheckpointError.EmptyExtensionLine },
        { "carriage return", $"o\r\n5\r\n{RootBase64}\r\n", CheckpointError.InvalidCharacters },
        { "control character", $"o\u0000\n5\n{RootBase64}\n", CheckpointError.InvalidCharacters },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_bodies_are_refused_with_the_reason(string description, string body, CheckpointError error)
    {
        var parsed = Checkpoint.Parse(body);

        parsed.IsSuccess.ShouldBeFalse(description);
        parsed.Error.ShouldBe(error, description);
        parsed.Value.ShouldBeNull();
        parsed.Detail.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Parse_of_null_is_a_failure_not_an_exception()
    {
        Checkpoint.Parse(null).Error.ShouldBe(CheckpointError.MissingLines);
    }

    [Fact]
    public void Parsing_never_throws_on_random_text()
    {
        var random = new Random(9162);
        const string alphabet = "o5\n0=+/AQaz \u2014\r";
        for (var i = 0; i < 5000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 60)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            Should.NotThrow(() => Checkpoint.Parse(text));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("two\nlines")]
    [InlineData("tab\tin origin")]
    public void A_checkpoint_cannot_be_built_with_an_invalid_origin(string origin) =>
        Should.Throw<ArgumentException>(() => new Checkpoint(origin, 1, Root));

    [Fact]
    public void A_checkpoint_cannot_be_built_with_a_negative_size_a_short_hash_or_an_empty_extension()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new Checkpoint("o", -1, Root));
        Should.Throw<ArgumentException>(() => new Checkpoint("o", 1, Root.AsSpan(0, 31).ToArray()));
        Should.Throw<ArgumentException>(() => new Checkpoint("o", 1, Root, [""]));
        Should.Throw<ArgumentException>(() => new Checkpoint("o", 1, Root, ["a\nb"]));
    }
}
