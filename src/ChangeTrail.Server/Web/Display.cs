using System.Globalization;

namespace ChangeTrail.Server.Web;

/// <summary>How values read on a page: instants in UTC, to the minute, the same everywhere.</summary>
public static class Display
{
    public static string Instant(DateTime? value) =>
        value?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";

    /// <summary>The value a datetime-local input shows for a UTC instant.</summary>
    public static string LocalInput(DateTime? value) =>
        value?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture) ?? "";
}
