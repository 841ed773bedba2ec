namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>Why a signed checkpoint was refused.</summary>
public enum CheckpointNoteError
{
    /// <summary>The signed note itself is malformed (see <see cref="NoteError.Malformed"/>).</summary>
    MalformedNote,

    /// <summary>No signature is by a known key.</summary>
    UnknownKey,

    /// <summary>A signature by a known key does not verify: the checkpoint was altered.</summary>
    InvalidSignature,

    /// <summary>Two different known keys share a signature's key name and key ID.</summary>
    AmbiguousKey,

    /// <summary>The signature verified but the text is not a valid checkpoint body (see <see cref="VerifiedCheckpoint"/>).</summary>
    MalformedCheckpoint,

    /// <summary>A valid, signed checkpoint of another log than the one expected.</summary>
    OriginMismatch,
}

/// <summary>A checkpoint whose note signature verified, and the note it came from.</summary>
public sealed record VerifiedCheckpoint(Checkpoint Checkpoint, OpenedNote Note)
{
    /// <summary>The known key whose signature verified first.</summary>
    public NoteVerifier SignedBy => Note.SignedBy;
}

/// <summary>Signs and opens checkpoints as C2SP signed notes.</summary>
public static class CheckpointNote
{
    /// <summary>The signed checkpoint: its body followed by one signature line per signer (old and new key during a rotation).</summary>
    public static string Sign(Checkpoint checkpoint, params IEnumerable<NoteSigner> signers)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return SignedNote.Sign(checkpoint.Format(), signers);
    }

    /// <summary>
    /// Verifies a signed checkpoint against the <paramref name="known"/> keys, parses its body, and, when
    /// <paramref name="expectedOrigin"/> is given, checks it names that log. Never throws on bad input.
    /// </summary>
    public static Outcome<VerifiedCheckpoint, CheckpointNoteError> Open(string? signedCheckpoint, string? expectedOrigin, params IEnumerable<NoteVerifier> known)
    {
        var opened = SignedNote.Open(signedCheckpoint, known);
        if (!opened.IsSuccess)
        {
            var error = opened.Error switch
            {
                NoteError.UnknownKey => CheckpointNoteError.UnknownKey,
                NoteError.InvalidSignature => CheckpointNoteError.InvalidSignature,
                NoteError.AmbiguousKey => CheckpointNoteError.AmbiguousKey,
                _ => CheckpointNoteError.MalformedNote,
            };
            return Outcome<VerifiedCheckpoint, CheckpointNoteError>.Failure(error, opened.Detail ?? error.ToString());
        }

        var parsed = Checkpoint.Parse(opened.Value.Text);
        if (!parsed.IsSuccess)
            return Outcome<VerifiedCheckpoint, CheckpointNoteError>.Failure(CheckpointNoteError.MalformedCheckpoint,
                $"{parsed.Error}: {parsed.Detail}");

        if (expectedOrigin is not null && !string.Equals(parsed.Value.Origin, expectedOrigin, StringComparison.Ordinal))
            return Outcome<VerifiedCheckpoint, CheckpointNoteError>.Failure(CheckpointNoteError.OriginMismatch,
                $"The checkpoint is of log '{parsed.Value.Origin}', not '{expectedOrigin}'.");

        return new VerifiedCheckpoint(parsed.Value, opened.Value);
    }
}
