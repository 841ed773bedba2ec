using System.Globalization;

namespace ChangeTrail.Server.Web;

/// <summary>How values read on a page: instants in UTC, to the minute, the same everywhere.</summary>
public static class Display
{
    public static string Instant(DateTime? value) =>
        value?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>The credential a decision came with, in words: "API token 1a2b3c4d", "web session", or a dash for older decisions.</summary>
    public static string Credential(string? credential) => credential switch
    {
        null => "—",
        _ when credential.StartsWith("token:", StringComparison.Ordinal) => $"API token {credential[6..14]}",
        _ when credential.StartsWith("session:", StringComparison.Ordinal) => $"Web session {credential[8..Math.Min(credential.Length, 16)]}",
        _ => credential,
    };

    /// <summary>The value a datetime-local input shows for a UTC instant.</summary>
    public static string LocalInput(DateTime? value) =>
        value?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) ?? "";

    /// <summary>An http(s) address as a link target; anything else (a javascript: or data: URL) is not linked.</summary>
    public static string? WebLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri.AbsoluteUri : null;

    /// <summary>A policy version's state in words: "In force" rather than the API's InForce.</summary>
    public static string PolicyState(Domain.PolicyDocuments.PolicyVersionState state) => state switch
    {
        Domain.PolicyDocuments.PolicyVersionState.InForce => "In force",
        _ => state.ToString(),
    };

    /// <summary>An emergency's deadline flag in words (<see cref="Domain.Changes.EmergencyFlags"/>).</summary>
    public static string Flag(string flag) => flag switch
    {
        Domain.Changes.EmergencyFlags.DocumentationOverdue => "Write-up overdue",
        Domain.Changes.EmergencyFlags.DocumentedLate => "Written up late",
        Domain.Changes.EmergencyFlags.ReviewOverdue => "Review overdue",
        Domain.Changes.EmergencyFlags.ReviewedLate => "Reviewed late",
        _ => flag,
    };
}
