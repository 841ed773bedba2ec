using System.Text.RegularExpressions;
using ChangeTrail.Domain.Ledger.Checkpoints;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Checkpoints;

public class NoteKeyTests
{
    [Fact]
    public void A_generated_key_exports_signer_and_verifier_keys_in_the_sumdb_note_formats()
    {
        using var signer = NoteSigner.Generate("changetrail.example/ledger");

        var id = signer.Verifier.KeyIdHex;
        id.ShouldMatch("^[0-9a-f]{8}$");
        signer.ExportSignerKey().ShouldMatch($"^PRIVATE\\+KEY\\+changetrail\\.example/ledger\\+{id}\\+A[A-Za-z0-9+/]{{43}}$");
        signer.Verifier.VerifierKey.ShouldMatch($"^changetrail\\.example/ledger\\+{id}\\+A[A-Za-z0-9+/]{{43}}$");
        Convert.FromBase64String(signer.Verifier.VerifierKey[^44..]).ShouldBe([0x01, .. signer.Verifier.PublicKey.ToArray()]);
    }

    [Fact]
    public void An_exported_signer_key_imports_to_the_same_key()
    {
        using var original = NoteSigner.Generate("changetrail.example/ledger");
        using var imported = NoteSigner.Parse(original.ExportSignerKey()).Value.ShouldNotBeNull();

        imported.Name.ShouldBe(original.Name);
        imported.KeyId.ShouldBe(original.KeyId);
        imported.Verifier.VerifierKey.ShouldBe(original.Verifier.VerifierKey);
        imported.ExportSignerKey().ShouldBe(original.ExportSignerKey());
        // Ed25519 is deterministic: same key, same text, same signature.
        imported.Sign("text\n").ShouldBe(original.Sign("text\n"));
    }

    [Fact]
    public void An_exported_verifier_key_imports_and_verifies_the_signers_notes()
    {
        using var signer = NoteSigner.Generate("changetrail.example/ledger");
        var verifier = NoteVerifier.Parse(signer.Verifier.VerifierKey).Value.ShouldNotBeNull();

        verifier.KeyId.ShouldBe(signer.KeyId);
        verifier.IsSameKey(signer.Verifier).ShouldBeTrue();
        SignedNote.Open(signer.Sign("text\n"), verifier).IsSuccess.ShouldBeTrue();
    }

    [Fact]
    public void Two_generated_keys_differ()
    {
        using var a = NoteSigner.Generate("changetrail.example/ledger");
        using var b = NoteSigner.Generate("changetrail.example/ledger");

        a.Verifier.VerifierKey.ShouldNotBe(b.Verifier.VerifierKey);
        a.Verifier.IsSameKey(b.Verifier).ShouldBeFalse();
    }

    [Fact]
    public void The_key_id_depends_on_the_name()
    {
        var publicKey = new byte[32];
        using (var signer = NoteSigner.Generate("a.example"))
            signer.Verifier.PublicKey.CopyTo(publicKey);

        NoteVerifier.FromPublicKey("a.example", publicKey).KeyId
            .ShouldNotBe(NoteVerifier.FromPublicKey("b.example", publicKey).KeyId);
    }

    [Fact]
    public void The_signer_does_not_print_its_private_key()
    {
        using var signer = NoteSigner.Generate("changetrail.example/ledger");
        var secret = signer.ExportSignerKey()[^44..];

        signer.ToString().ShouldNotContain(secret);
        signer.ToString().ShouldContain(signer.Verifier.KeyIdHex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("with space")]
    [InlineData("with+plus")]
    [InlineData("tab\tname")]
    [InlineData("no\u00a0break")]
    [InlineData("ideographic\u3000space")]
    public void Key_names_with_spaces_or_plus_signs_are_refused(string name)
    {
        SignedNote.IsValidKeyName(name).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => NoteSigner.Generate(name));
    }

    [Theory]
    [InlineData("changetrail.example/ledger")]
    [InlineData("PeterNeumann")]
    [InlineData("quasimodo.example/salvatore")]
    [InlineData("ünïcode.example")]
    public void Schemaless_urls_and_plain_words_are_valid_key_names(string name) =>
        SignedNote.IsValidKeyName(name).ShouldBeTrue();

    [Theory]
    [InlineData("")]
    [InlineData("PeterNeumann")]
    [InlineData("PeterNeumann+c74f20a3")]
    [InlineData("PeterNeumann+c74f20a3+")]
    [InlineData("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwx bzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")]
    public void Malformed_verifier_keys_are_refused_as_malformed(string key) =>
        NoteVerifier.Parse(key).Error.ShouldBe(NoteKeyError.Malformed);

    [Fact]
    public void A_verifier_key_whose_id_does_not_match_its_name_and_key_is_refused()
    {
        NoteVerifier.Parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").Error.ShouldBe(NoteKeyError.KeyIdMismatch);
        NoteVerifier.Parse("PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").Error.ShouldBe(NoteKeyError.KeyIdMismatch);
    }

    [Fact]
    public void An_upper_case_key_id_is_read_and_written_back_in_lower_case()
    {
        var verifier = NoteVerifier.Parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").Value.ShouldNotBeNull();

        verifier.VerifierKey.ShouldBe(ReferenceVectors.PeterVerifierKey);
    }

    [Fact]
    public void A_signer_key_given_as_a_verifier_key_is_refused_and_vice_versa()
    {
        NoteVerifier.Parse(ReferenceVectors.PeterSignerKey).IsSuccess.ShouldBeFalse();
        NoteSigner.Parse(ReferenceVectors.PeterVerifierKey).Error.ShouldBe(NoteKeyError.Malformed);
    }

    [Fact]
    public void A_signer_key_whose_id_does_not_match_its_public_key_is_refused()
    {
        NoteSigner.Parse("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .Error.ShouldBe(NoteKeyError.KeyIdMismatch);
        NoteSigner.Parse("PRIVATE+KEY+EnochRoot+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .Error.ShouldBe(NoteKeyError.KeyIdMismatch);
    }

    [Fact]
    public void A_signer_key_of_another_algorithm_is_refused()
    {
        var seed = Convert.FromBase64String("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
        seed[0] = 0x02;

        NoteSigner.Parse("PRIVATE+KEY+PeterNeumann+c74f20a3+" + Convert.ToBase64String(seed))
            .Error.ShouldBe(NoteKeyError.UnsupportedAlgorithm);
    }

    [Fact]
    public void A_public_key_of_the_wrong_length_is_refused()
    {
        Should.Throw<ArgumentException>(() => NoteVerifier.FromPublicKey("a.example", new byte[31]));
        Should.Throw<ArgumentException>(() => NoteSigner.FromSeed("a.example", new byte[33]));
    }

    [Fact]
    public void Parsing_never_throws_on_random_key_strings()
    {
        var random = new Random(20250101);
        const string alphabet = "PRIVATEKY+abcdef0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ/=+ \u2014\n";
        for (var i = 0; i < 2000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 90)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            NoteVerifier.Parse(text).IsSuccess.ShouldBeFalse(text);
            NoteSigner.Parse(text).IsSuccess.ShouldBeFalse(text);
        }
    }

    [Fact]
    public void The_verifier_key_format_is_name_plus_id_plus_base64()
    {
        Regex.IsMatch(ReferenceVectors.PeterVerifierKey, "^[^+ ]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]+=*$").ShouldBeTrue();
    }
}
