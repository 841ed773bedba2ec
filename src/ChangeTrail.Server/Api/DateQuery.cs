using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Api;

/// <summary>
/// Calendar dates in a query string (<c>?from=2026-01-01&amp;to=2026-01-31</c>), read alike by every endpoint that takes a
/// period: ISO 8601 dates; anything else is a 400 naming each parameter, as the ledger endpoints name unreadable integers.
/// </summary>
public static class DateQuery
{
    /// <summary>The form of a date parameter: an ISO 8601 calendar date.</summary>
    public const string Format = "yyyy-MM-dd";

    /// <summary>The date <paramref name="text"/> gives, or null when it gives none; a text that is no date is added to <paramref name="malformed"/>.</summary>
    public static DateOnly? Read(string name, string? text, Dictionary<string, string[]> malformed)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (DateOnly.TryParseExact(text.Trim(), Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        malformed[name] = [$"Not a date: use {Format}, e.g. 2026-01-31."];
        return null;
    }

    public static string? Text(DateOnly? date) => date?.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The 400 naming every parameter that is not a date.</summary>
    public static ProblemHttpResult Malformed(Dictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = Problems.TypeUri("malformed-request"),
            Title = "The request cannot be read",
            Detail = $"Not a date ({Format}): {string.Join(", ", errors.Keys)}.",
        });
}
