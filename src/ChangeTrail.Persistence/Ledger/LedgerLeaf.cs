using System.Text;
using System.Text.Json;
using ChangeTrail.Domain.Ledger;

namespace ChangeTrail.Persistence.Ledger;

/// <summary>An action to record, queued on the context and appended when it saves.</summary>
public sealed record LedgerAction(DateTime At, Guid ActorId, string Action, string SubjectType, string SubjectId, string Record);

/// <summary>
/// The bytes a leaf hashes: a canonical JSON object with a fixed member order and no whitespace. The
/// recorded subject is embedded as JSON, not as a string, so the leaf reads naturally in an export.
/// </summary>
public static class LedgerLeaf
{
    public static byte[] Bytes(DateTime at, Guid actorId, string action, string subjectType, string subjectId, string record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("at", at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("actor", actorId);
            json.WriteString("action", action);
            json.WriteString("subjectType", subjectType);
            json.WriteString("subjectId", subjectId);
            json.WritePropertyName("record");
            json.WriteRawValue(record, skipInputValidation: false);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public static Hash32 Hash(LedgerEntry entry) =>
        MerkleHash.Leaf(Bytes(entry.At, entry.ActorId, entry.Action, entry.SubjectType, entry.SubjectId, entry.Record));

    public static string Text(LedgerEntry entry) =>
        Encoding.UTF8.GetString(Bytes(entry.At, entry.ActorId, entry.Action, entry.SubjectType, entry.SubjectId, entry.Record));
}
