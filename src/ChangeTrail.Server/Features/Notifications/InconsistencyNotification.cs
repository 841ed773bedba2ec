using System.Globalization;
using System.Text.Json;
using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// <c>ledger.inconsistent</c>: the server found its log no longer extends the last checkpoint it signed, and refuses to
/// sign. Sent once when found, with the remembered checkpoint, so the witnesses hear of it even if nobody reads the log.
/// </summary>
public static class InconsistencyNotification
{
    public const string EventType = "ledger.inconsistent";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Payload(string origin, string reason, string? lastSignedCheckpoint, DateTime detectedAt) =>
        JsonSerializer.Serialize(new Body(EventType, origin, reason, lastSignedCheckpoint,
            detectedAt.ToString(LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture)), Json);

    private sealed record Body(string Type, string Origin, string Reason, string? LastSignedCheckpoint, string DetectedAt);
}
