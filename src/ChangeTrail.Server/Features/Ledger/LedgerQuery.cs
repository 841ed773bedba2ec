using System.Globalization;
using ChangeTrail.Server.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Ledger;

/// <summary>
/// The integer query parameters of the ledger endpoints. A value that is not an integer cannot be read:
/// 400 <c>malformed-request</c> naming every such parameter. Ranges are the use cases' business (422).
/// </summary>
public sealed class LedgerQuery
{
    private readonly Dictionary<string, string[]> _unreadable = new(StringComparer.Ordinal);

    /// <summary>The parameter's value; null when absent or empty, or when unreadable (then noted for <see cref="Malformed"/>).</summary>
    public long? Read(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            return value;
        _unreadable[name] = ["Not an integer."];
        return null;
    }

    /// <summary>The 400 naming every unreadable parameter, or null when all could be read.</summary>
    public ProblemHttpResult? Malformed => _unreadable.Count == 0
        ? null
        : TypedResults.Problem(new HttpValidationProblemDetails(_unreadable)
        {
            Status = StatusCodes.Status400BadRequest,
            Type = Problems.TypeUri("malformed-request"),
            Title = "The request cannot be read",
            Detail = $"Not an integer: {string.Join(", ", _unreadable.Keys)}.",
        });
}
