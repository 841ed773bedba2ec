using System.Text.Json;
namespace ChangeTrail.Domain.Ledger;

/// <summary>
/// The bytes a ledger leaf hashes: a canonical JSON object with a fixed member order and no whitespace.
/// The recorded subject is embedded as JSON, not as a string, so the leaf reads naturally in an export.
/// Server and verifier build leaves with this one function, so they cannot disagree on the format.
/// </summary>
public static class LedgerLeaf
{
    /// <summary>How instants are written in a leaf: UTC, microseconds, the precision both databases keep.</summary>
    public const string InstantFormat = "yyyy-MM-ddTHH:mm:ss.ffffffZ";

    public static byte[] Bytes(DateTime at, Guid actorId, string action, string subjectType, string subjectId, string record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("at", at.ToUniversalTime().ToString(InstantFormat, System.Globalization.CultureInfo.InvariantCulture));
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

    public static Hash32 Hash(DateTime at, Guid actorId, string action, string subjectType, string subjectId, string record) =>
        MerkleHash.Leaf(Bytes(at, actorId, action, subjectType, subjectId, record));
}
