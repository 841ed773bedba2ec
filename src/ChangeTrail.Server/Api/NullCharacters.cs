using System.Collections;
using System.Reflection;
using System.Text.Json;
using ChangeTrail.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Api;

/// <summary>
/// PostgreSQL cannot hold U+0000 in text: a lookup or a save with one failed (a 500), where SQLite kept it, so the two
/// providers differed. A null character in a query parameter or in a string of a request body cannot be read: 400
/// malformed-request naming where it is. Kestrel refuses one in the path or a header itself.
/// </summary>
public static class NullCharacters
{
    public const string Message = "A null character (U+0000) cannot be read.";

    /// <summary>Refuses a query string holding a null character, before anything reads it.</summary>
    public sealed class InQuery(RequestDelegate next)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            foreach (var (name, values) in context.Request.Query)
            {
                if (name.Contains('\0') || values.Any(v => v is not null && v.Contains('\0')))
                {
                    await Refused(Printable(name), "A parameter cannot be read").ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        }
    }

    /// <summary>
    /// The same for the web UI's requests: a query string or a posted form holding a null character is a 400, shown as the
    /// status page in words, before a page reads it.
    /// </summary>
    public sealed class InWebRequests(RequestDelegate next)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            var fields = context.Request.Query.SelectMany(q => q.Value.Append(q.Key));
            try
            {
                if (context.Request.HasFormContentType)
                    fields = fields.Concat((await context.Request.ReadFormAsync(context.RequestAborted)).SelectMany(f => f.Value.Append(f.Key)));
                if (!fields.Any(v => v is not null && v.Contains('\0')))
                {
                    await next(context);
                    return;
                }
            }
            catch (InvalidDataException)
            {
                // The form reader refuses what it cannot read (a null character among them): a refused request, not a 500.
            }
            // The status page is re-executed with this request: it gets an empty form instead of the one refused.
            context.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(new Microsoft.AspNetCore.Http.Features.FormFeature(FormCollection.Empty));
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    /// <summary>
    /// An endpoint filter: refuses a request whose body, as bound (a record of ChangeTrail.Contracts), holds a null
    /// character in a string or a dictionary key.
    /// </summary>
    public static async ValueTask<object?> InBodies(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is not null && argument.GetType().Assembly == typeof(ApiJson).Assembly && Find(argument) is { } field)
                return Refused(field, "The request body cannot be read");
        }
        return await next(context);
    }

    /// <summary>The JSON path (<c>services[0]</c>, <c>riskAnswers.downtime</c>) of the first string in a request record holding a null character.</summary>
    public static string? Find(object? value, string path = "")
    {
        switch (value)
        {
            case null:
                return null;
            case string text:
                return text.Contains('\0') ? Printable(path) : null;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    var member = Join(path, entry.Key.ToString() ?? "");
                    if (member.Contains('\0'))
                        return Printable(member);
                    if (Find(entry.Value, member) is { } inValue)
                        return inValue;
                }
                return null;
            case IEnumerable items:
                var index = 0;
                foreach (var item in items)
                {
                    if (Find(item, $"{path}[{index++}]") is { } inItem)
                        return inItem;
                }
                return null;
            default:
                // Numbers, dates, enums and the like hold no text; only the Contracts' records are looked into.
                var type = value.GetType();
                if (type.Assembly != typeof(ApiJson).Assembly)
                    return null;
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetIndexParameters().Length == 0
                        && Find(property.GetValue(value), Join(path, JsonNamingPolicy.CamelCase.ConvertName(property.Name))) is { } inProperty)
                        return inProperty;
                }
                return null;
        }
    }

    private static string Join(string path, string member) => path.Length == 0 ? member : $"{path}.{member}";

    private static string Printable(string field) => field.Replace("\0", "\\u0000", StringComparison.Ordinal);

    private static ProblemHttpResult Refused(string field, string title) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [Message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Type = Problems.TypeUri("malformed-request"),
            Title = title,
            Detail = $"{field}: {Message}",
        });
}
