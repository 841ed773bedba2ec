using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChangeTrail.Domain.Retention;

namespace ChangeTrail.Domain.Ledger;

/// <summary>One entry whose record a purge removed: its position, time and leaf hash, which stays in the tree.</summary>
public sealed record PurgedEntry(long Index, string At, string LeafHash);

/// <summary>
/// The record of a retention purge's own ledger entry (action <see cref="Action"/>, on the purged change request):
/// the retention period in force, the cutoff it gave, and every entry whose record was removed. The server writes
/// it and the verifier reads it with this one type. Because it is itself a leaf of the log, a removed record is
/// accounted for by a signed entry: a record removed any other way, or one younger than the cutoff, or a cutoff
/// shorter than policy 3.5's twelve months, is a verification failure.
/// </summary>
public sealed record LedgerPurge(int RetentionMonths, string Cutoff, IReadOnlyList<PurgedEntry> Entries)
{
    public const string Action = "change.purged";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public static LedgerPurge Of(RetentionPeriod period, DateTime purgedAt, IEnumerable<PurgedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(period);
        return new LedgerPurge(period.Months, Instant(period.CutoffAt(purgedAt)), entries.ToList());
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a purge entry's record; null when it is not one.</summary>
    public static LedgerPurge? TryParse(string record)
    {
        try
        {
            return JsonSerializer.Deserialize<LedgerPurge>(record, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Why this purge, made at <paramref name="purgedAt"/>, could not have been made under the policy; null when it could.
    /// The cutoff must follow from the period and the purge's own time, the period must be at least 12 months.
    /// </summary>
    public string? Violation(DateTime purgedAt)
    {
        if (RetentionMonths < RetentionPeriod.MinimumMonths)
            return $"its retention period of {RetentionMonths} months is below the {RetentionPeriod.MinimumMonths} months policy 3.5 requires";
        var expected = Instant(purgedAt.AddMonths(-RetentionMonths));
        return Cutoff == expected ? null : $"its cutoff {Cutoff} is not {RetentionMonths} months before the purge ({expected})";
    }

    public static string Instant(DateTime at) => at.ToUniversalTime().ToString(LedgerLeaf.InstantFormat, CultureInfo.InvariantCulture);
}
