namespace ChangeTrail.Persistence.Ledger;

/// <summary>
/// A signed tree head: the root of the log's first <see cref="TreeSize"/> leaves and the C2SP signed note
/// that vouches for it. One per size; a second instance that signs the same size signs the same root, so
/// whichever row arrived first stands.
/// </summary>
public sealed class LedgerCheckpoint
{
    public long TreeSize { get; set; }
    public byte[] RootHash { get; set; } = [];

    /// <summary>The signed checkpoint exactly as served: body, blank line, signature lines.</summary>
    public string Note { get; set; } = "";

    public DateTime CreatedAt { get; set; }
}
