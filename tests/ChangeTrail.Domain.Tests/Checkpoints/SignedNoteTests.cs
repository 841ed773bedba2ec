using System.Text;
using ChangeTrail.Domain.Ledger.Checkpoints;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Checkpoints;

public sealed class SignedNoteTests : IDisposable
{
    private const string Text = "changetrail.example/ledger\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

    private readonly NoteSigner _signer = NoteSigner.Generate("changetrail.example/ledger");

    public void Dispose() => _signer.Dispose();

    [Fact]
    public void A_signed_note_is_the_text_a_blank_line_and_an_em_dash_signature_line()
    {
        var note = _signer.Sign(Text);

        note.ShouldStartWith(Text + "\n\u2014 changetrail.example/ledger ");
        note.ShouldEndWith("\n");
        var payload = Convert.FromBase64String(note[(Text.Length + 1 + 2 + "changetrail.example/ledger ".Length)..^1]);
        payload.Length.ShouldBe(4 + 64);
        Convert.ToHexStringLower(payload[..4]).ShouldBe(_signer.Verifier.KeyIdHex);
    }

    [Fact]
    public void A_note_signed_with_a_key_opens_with_its_verifier_and_gives_back_the_text_and_the_key()
    {
        var opened = SignedNote.Open(_signer.Sign(Text), _signer.Verifier);

        opened.IsSuccess.ShouldBeTrue(opened.Detail);
        opened.Value.Text.ShouldBe(Text);
        opened.Value.SignedBy.ShouldBeSameAs(_signer.Verifier);
        opened.Error.ShouldBeNull();
    }

    [Fact]
    public void A_note_opens_from_its_utf8_bytes()
    {
        var opened = SignedNote.Open(Encoding.UTF8.GetBytes(_signer.Sign(Text)), _signer.Verifier);

        opened.Value.ShouldNotBeNull().Text.ShouldBe(Text);
    }

    [Fact]
    public void Invalid_utf8_bytes_are_a_malformed_note()
    {
        var bytes = Encoding.UTF8.GetBytes(_signer.Sign(Text));
        bytes[0] = 0xff;

        SignedNote.Open(bytes, _signer.Verifier).Error.ShouldBe(NoteError.Malformed);
    }

    [Fact]
    public void A_note_with_non_ascii_text_round_trips()
    {
        const string poem = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n";

        var opened = SignedNote.Open(_signer.Sign(poem), _signer.Verifier);

        opened.Value.ShouldNotBeNull().Text.ShouldBe(poem);
    }

    [Fact]
    public void Changing_any_character_of_the_text_makes_the_note_fail()
    {
        var note = _signer.Sign(Text);
        var accepted = new List<int>();

        for (var i = 0; i < Text.Length; i++)
        {
            var chars = note.ToCharArray();
            chars[i] = chars[i] == 'x' ? 'y' : 'x';
            if (SignedNote.Open(new string(chars), _signer.Verifier).IsSuccess)
                accepted.Add(i);
        }

        accepted.ShouldBeEmpty();
    }

    [Fact]
    public void Changing_a_character_of_the_text_is_reported_as_an_invalid_signature()
    {
        var note = _signer.Sign(Text).Replace("\n42\n", "\n43\n", StringComparison.Ordinal);

        var opened = SignedNote.Open(note, _signer.Verifier);

        opened.Error.ShouldBe(NoteError.InvalidSignature);
        opened.Value.ShouldBeNull();
    }

    [Fact]
    public void Flipping_any_bit_of_the_signature_is_an_invalid_signature()
    {
        var (prefix, payload) = SplitSignature(_signer.Sign(Text));
        var outcomes = new HashSet<NoteError?>();

        for (var bit = 4 * 8; bit < payload.Length * 8; bit++)
        {
            var mangled = (byte[])payload.Clone();
            mangled[bit / 8] ^= (byte)(1 << (bit % 8));
            outcomes.Add(SignedNote.Open(prefix + Convert.ToBase64String(mangled) + "\n", _signer.Verifier).Error);
        }

        outcomes.ShouldBe([NoteError.InvalidSignature]);
    }

    [Fact]
    public void Flipping_any_bit_of_the_key_id_makes_the_signature_unknown()
    {
        var (prefix, payload) = SplitSignature(_signer.Sign(Text));
        var outcomes = new HashSet<NoteError?>();

        for (var bit = 0; bit < 4 * 8; bit++)
        {
            var mangled = (byte[])payload.Clone();
            mangled[bit / 8] ^= (byte)(1 << (bit % 8));
            outcomes.Add(SignedNote.Open(prefix + Convert.ToBase64String(mangled) + "\n", _signer.Verifier).Error);
        }

        outcomes.ShouldBe([NoteError.UnknownKey]);
    }

    [Fact]
    public void A_truncated_signature_fails()
    {
        var (prefix, payload) = SplitSignature(_signer.Sign(Text));

        SignedNote.Open(prefix + Convert.ToBase64String(payload[..^1]) + "\n", _signer.Verifier)
            .Error.ShouldBe(NoteError.InvalidSignature);
    }

    [Fact]
    public void A_note_opened_with_a_different_key_fails_as_unknown_key()
    {
        using var other = NoteSigner.Generate("someone.example/else");

        var opened = SignedNote.Open(_signer.Sign(Text), other.Verifier);

        opened.Error.ShouldBe(NoteError.UnknownKey);
        opened.Detail.ShouldNotBeNull().ShouldContain("changetrail.example/ledger+" + _signer.Verifier.KeyIdHex);
    }

    [Fact]
    public void A_different_key_with_the_same_name_is_not_accepted()
    {
        using var impostor = NoteSigner.Generate(_signer.Name);

        SignedNote.Open(impostor.Sign(Text), _signer.Verifier).Error.ShouldBe(NoteError.UnknownKey);
    }

    [Fact]
    public void A_signature_renamed_to_a_known_key_name_is_not_accepted()
    {
        using var other = NoteSigner.Generate("other.example");
        var renamed = other.Sign(Text).Replace("\u2014 other.example ", "\u2014 changetrail.example/ledger ", StringComparison.Ordinal);

        SignedNote.Open(renamed, _signer.Verifier).Error.ShouldBe(NoteError.UnknownKey);
    }

    [Fact]
    public void A_note_with_no_known_key_is_refused_even_when_well_formed()
    {
        SignedNote.Open(_signer.Sign(Text)).Error.ShouldBe(NoteError.UnknownKey);
    }

    [Fact]
    public void A_note_signed_by_two_keys_verifies_under_either_key()
    {
        using var second = NoteSigner.Generate("witness.example/w1");
        var note = SignedNote.Sign(Text, _signer, second);

        SignedNote.Open(note, _signer.Verifier).Value.ShouldNotBeNull().SignedBy.ShouldBeSameAs(_signer.Verifier);
        SignedNote.Open(note, second.Verifier).Value.ShouldNotBeNull().SignedBy.ShouldBeSameAs(second.Verifier);
        var both = SignedNote.Open(note, second.Verifier, _signer.Verifier).Value.ShouldNotBeNull();
        both.VerifiedBy.ShouldBe([_signer.Verifier, second.Verifier]);
        both.Text.ShouldBe(Text);
    }

    [Fact]
    public void Signing_with_the_same_key_twice_writes_one_signature()
    {
        var note = SignedNote.Sign(Text, _signer, _signer);

        note.Split('\u2014').Length.ShouldBe(2);
    }

    [Fact]
    public void A_bad_signature_by_a_known_key_rejects_the_note_even_when_another_known_key_verifies()
    {
        using var second = NoteSigner.Generate("witness.example/w1");
        var good = SignedNote.Sign(Text, _signer);
        var (_, secondPayload) = SplitSignature(SignedNote.Sign(Text, second), second.Name);
        secondPayload[^1] ^= 1;
        var note = good + "\u2014 witness.example/w1 " + Convert.ToBase64String(secondPayload) + "\n";

        SignedNote.Open(note, _signer.Verifier).IsSuccess.ShouldBeTrue();
        SignedNote.Open(note, _signer.Verifier, second.Verifier).Error.ShouldBe(NoteError.InvalidSignature);
    }

    [Fact]
    public void The_same_key_known_twice_is_not_ambiguous()
    {
        var copy = NoteVerifier.Parse(_signer.Verifier.VerifierKey).Value.ShouldNotBeNull();

        var opened = SignedNote.Open(_signer.Sign(Text), _signer.Verifier, copy);

        opened.IsSuccess.ShouldBeTrue(opened.Detail);
        opened.Value.VerifiedBy.Count.ShouldBe(1);
    }

    [Fact]
    public void Repeated_identical_signature_lines_are_counted_once()
    {
        var note = _signer.Sign(Text);
        var line = note[(Text.Length + 1)..];

        var opened = SignedNote.Open(note + line + line, _signer.Verifier).Value.ShouldNotBeNull();

        opened.VerifiedSignatures.Count.ShouldBe(1);
    }

    [Fact]
    public void Sixteen_signatures_are_accepted_and_more_than_a_hundred_are_malformed()
    {
        var note = _signer.Sign(Text);
        var line = note[(Text.Length + 1)..];

        SignedNote.Open(Text + "\n" + string.Concat(Enumerable.Repeat(line, 16)), _signer.Verifier).IsSuccess.ShouldBeTrue();
        SignedNote.Open(Text + "\n" + string.Concat(Enumerable.Repeat(line, 101)), _signer.Verifier).Error.ShouldBe(NoteError.Malformed);
    }

    public static TheoryData<string, string> MalformedNotes => new()
    {
        { "empty", "" },
        { "text only", Text },
        { "text and blank line, no signature", Text + "\n" },
        { "signature line without final newline", "NO_NEWLINE" },
        { "control character in text", "\u0001" + "SIGNED" },
        { "carriage return line ending", "CRLF" },
        { "line after the signatures", "SIGNED" + "Unexpected line.\n" },
        { "key name with a space", "BAD_NAME" },
        { "hyphen instead of em dash", "HYPHEN" },
        { "signature not base64", "NOT_BASE64" },
        { "signature shorter than a key id and one byte", "SHORT" },
        { "lone surrogate", "\ud800" + "SIGNED" },
    };

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Malformed_notes_are_refused_as_malformed(string description, string template)
    {
        var signed = _signer.Sign(Text);
        var line = signed[(Text.Length + 1)..];
        var note = template switch
        {
            "NO_NEWLINE" => signed[..^1],
            "CRLF" => signed.Replace("\n", "\r\n", StringComparison.Ordinal),
            "BAD_NAME" => Text + "\n" + line.Replace("changetrail.example/ledger", "changetrail example", StringComparison.Ordinal),
            "HYPHEN" => Text + "\n" + line.Replace('\u2014', '-'),
            "NOT_BASE64" => Text + "\n\u2014 changetrail.example/ledger not*base64\n",
            "SHORT" => Text + "\n\u2014 changetrail.example/ledger " + Convert.ToBase64String([1, 2, 3, 4]) + "\n",
            _ => template.Replace("SIGNED", signed, StringComparison.Ordinal),
        };

        SignedNote.Open(note, _signer.Verifier).Error.ShouldBe(NoteError.Malformed, description);
    }

    [Fact]
    public void Signing_a_text_without_a_final_newline_is_refused()
    {
        Should.Throw<ArgumentException>(() => _signer.Sign("no newline"));
    }

    [Fact]
    public void Signing_a_text_with_a_control_character_is_refused()
    {
        Should.Throw<ArgumentException>(() => _signer.Sign("tab\there\n"));
    }

    [Fact]
    public void Signing_with_no_signer_is_refused()
    {
        Should.Throw<ArgumentException>(() => SignedNote.Sign(Text));
    }

    [Fact]
    public void Text_may_contain_blank_lines_because_the_last_blank_line_separates_the_signatures()
    {
        const string text = "first\n\nthird\n\n";

        SignedNote.Open(_signer.Sign(text), _signer.Verifier).Value.ShouldNotBeNull().Text.ShouldBe(text);
    }

    private (string Prefix, byte[] Payload) SplitSignature(string note, string? keyName = null)
    {
        var prefix = Text + "\n\u2014 " + (keyName ?? _signer.Name) + " ";
        note.ShouldStartWith(prefix);
        return (prefix, Convert.FromBase64String(note[prefix.Length..^1]));
    }
}
