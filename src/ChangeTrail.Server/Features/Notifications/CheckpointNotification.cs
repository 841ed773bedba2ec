using System.Globalization;
using System.Text.Json;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence.Ledger;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// <c>ledger.checkpoint</c>: a newly signed checkpoint, sent to every webhook so copies of the signed tree heads exist
/// outside the server (ARCHITECTURE.md, "Keys"). A receiver that keeps them can later prove the server rewrote its log.
/// </summary>
public static class CheckpointNotification
{
    public const string EventType = "ledger.checkpoint";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The JSON body: the checkpoint's fields for convenience, and the signed note, which alone is evidence.</summary>
    public static string Payload(string origin, LedgerCheckpoint checkpoint) =>
        JsonSerializer.Serialize(new Body(
            EventType,
            origin,
            checkpoint.TreeSize,
            Convert.ToHexStringLower(checkpoint.RootHash),
            checkpoint.Note,
            checkpoint.CreatedAt.ToString(LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture)), Json);

    private sealed record Body(string Type, string Origin, long TreeSize, string RootHash, string Checkpoint, string SignedAt);
}
