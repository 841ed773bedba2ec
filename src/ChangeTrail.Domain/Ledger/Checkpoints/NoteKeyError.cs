namespace ChangeTrail.Domain.Ledger.Checkpoints;

/// <summary>Why a signer or verifier key string was refused.</summary>
public enum NoteKeyError
{
    /// <summary>Not of the form <c>[PRIVATE+KEY+]&lt;name&gt;+&lt;8 hex digits&gt;+&lt;base64&gt;</c>, a bad name, or bad base64.</summary>
    Malformed,

    /// <summary>The key data's first byte is not a signature type this library supports (only 0x01, Ed25519).</summary>
    UnsupportedAlgorithm,

    /// <summary>The key data has the wrong length for its algorithm, or is not a valid key.</summary>
    InvalidKey,

    /// <summary>The key ID in the string is not the one computed from the name and public key.</summary>
    KeyIdMismatch,
}
