using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ChangeTrail.Cli.Output;

/// <summary>How values look in tables and summaries, the same in every command.</summary>
internal static class Formats
{
    public const string None = "-";

    /// <summary>Minutes are enough for a human reader; --json keeps the full timestamp.</summary>
    public static string When(DateTime? at) =>
        at is { } value ? value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : None;

    public static string List(IEnumerable<string> values, string empty = None)
    {
        var text = string.Join(", ", values);
        return text.Length == 0 ? empty : text;
    }

    /// <summary>
    /// A cell holding literal text. Table rows given as strings are parsed as Spectre markup, so a title
    /// containing "[" would break the table or inject styles.
    /// </summary>
    public static IRenderable Cell(string? text) => new Text(string.IsNullOrEmpty(text) ? None : text);
}
