using ChangeTrail.Domain.Ledger.Checkpoints;
using Shouldly;

namespace ChangeTrail.Domain.Tests.Checkpoints;

public sealed class CheckpointNoteTests : IDisposable
{
    private const string Origin = "changetrail.example/ledger";
    private static readonly byte[] Root = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private readonly NoteSigner _key = NoteSigner.Generate(Origin);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void A_signed_checkpoint_opens_to_the_same_checkpoint_and_names_its_key()
    {
        var checkpoint = new Checkpoint(Origin, 1000, Root);

        var opened = CheckpointNote.Open(CheckpointNote.Sign(checkpoint, _key), Origin, _key.Verifier);

        opened.IsSuccess.ShouldBeTrue(opened.Detail);
        opened.Value.Checkpoint.ShouldBe(checkpoint);
        opened.Value.SignedBy.ShouldBeSameAs(_key.Verifier);
        opened.Value.Note.Text.ShouldBe(checkpoint.Format());
    }

    [Fact]
    public void A_signed_checkpoint_is_its_body_a_blank_line_and_the_signature()
    {
        var checkpoint = new Checkpoint(Origin, 3, Root);

        CheckpointNote.Sign(checkpoint, _key).ShouldStartWith(checkpoint.Format() + "\n\u2014 " + Origin + " ");
    }

    [Fact]
    public void A_checkpoint_with_a_changed_tree_size_has_an_invalid_signature()
    {
        var signed = CheckpointNote.Sign(new Checkpoint(Origin, 1000, Root), _key);

        CheckpointNote.Open(signed.Replace("\n1000\n", "\n1001\n", StringComparison.Ordinal), Origin, _key.Verifier)
            .Error.ShouldBe(CheckpointNoteError.InvalidSignature);
    }

    [Fact]
    public void A_checkpoint_signed_by_an_unknown_key_is_refused()
    {
        using var stranger = NoteSigner.Generate(Origin);

        CheckpointNote.Open(CheckpointNote.Sign(new Checkpoint(Origin, 1, Root), stranger), Origin, _key.Verifier)
            .Error.ShouldBe(CheckpointNoteError.UnknownKey);
    }

    [Fact]
    public void A_checkpoint_of_another_log_is_refused_when_an_origin_is_expected()
    {
        var signed = CheckpointNote.Sign(new Checkpoint("other.example/log", 1, Root), _key);

        CheckpointNote.Open(signed, Origin, _key.Verifier).Error.ShouldBe(CheckpointNoteError.OriginMismatch);
        CheckpointNote.Open(signed, null, _key.Verifier).IsSuccess.ShouldBeTrue();
    }

    [Fact]
    public void A_validly_signed_note_that_is_not_a_checkpoint_is_refused()
    {
        var signed = _key.Sign("just some text\n");

        var opened = CheckpointNote.Open(signed, Origin, _key.Verifier);

        opened.Error.ShouldBe(CheckpointNoteError.MalformedCheckpoint);
        opened.Detail.ShouldNotBeNull().ShouldContain(nameof(CheckpointError.MissingLines));
    }

    [Fact]
    public void A_malformed_note_is_refused_as_malformed()
    {
        CheckpointNote.Open("not a note", Origin, _key.Verifier).Error.ShouldBe(CheckpointNoteError.MalformedNote);
        CheckpointNote.Open(null, Origin, _key.Verifier).Error.ShouldBe(CheckpointNoteError.MalformedNote);
    }

    [Fact]
    public void After_a_key_rotation_old_checkpoints_verify_with_the_old_key_and_new_ones_with_the_new_key()
    {
        using var newKey = NoteSigner.Generate(Origin);
        var old = CheckpointNote.Sign(new Checkpoint(Origin, 10, Root), _key);
        var during = CheckpointNote.Sign(new Checkpoint(Origin, 20, Root), _key, newKey);
        var after = CheckpointNote.Sign(new Checkpoint(Origin, 30, Root), newKey);
        NoteVerifier[] trusted = [_key.Verifier, newKey.Verifier];

        CheckpointNote.Open(old, Origin, trusted).Value.ShouldNotBeNull().SignedBy.ShouldBeSameAs(_key.Verifier);
        CheckpointNote.Open(old, Origin, _key.Verifier).IsSuccess.ShouldBeTrue();
        CheckpointNote.Open(during, Origin, _key.Verifier).IsSuccess.ShouldBeTrue();
        CheckpointNote.Open(during, Origin, newKey.Verifier).IsSuccess.ShouldBeTrue();
        CheckpointNote.Open(after, Origin, trusted).Value.ShouldNotBeNull().SignedBy.ShouldBeSameAs(newKey.Verifier);
        CheckpointNote.Open(after, Origin, _key.Verifier).Error.ShouldBe(CheckpointNoteError.UnknownKey);
    }

    [Fact]
    public void A_checkpoint_signed_from_an_imported_key_file_verifies_with_the_published_verifier_key()
    {
        var keyFile = _key.ExportSignerKey();
        var published = _key.Verifier.VerifierKey;

        using var restored = NoteSigner.Parse(keyFile).Value.ShouldNotBeNull();
        var verifier = NoteVerifier.Parse(published).Value.ShouldNotBeNull();
        var checkpoint = new Checkpoint(Origin, 5, Root);

        CheckpointNote.Open(CheckpointNote.Sign(checkpoint, restored), Origin, verifier).Value.ShouldNotBeNull().Checkpoint.ShouldBe(checkpoint);
    }
}
