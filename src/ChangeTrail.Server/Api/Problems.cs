using System.Text.Json;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace ChangeTrail.Server.Api;

/// <summary>
/// Every error is RFC 9457 problem+json with a stable relative <c>type</c> (<c>/problems/&lt;name&gt;</c>)
/// and, for field errors, <c>errors</c> keyed by the request's JSON path.
/// </summary>
public static class Problems
{
    public static string TypeUri(string name) => $"/problems/{name}";

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorKind.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorKind.Unreadable => StatusCodes.Status400BadRequest,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    public static ProblemHttpResult From(DomainError error)
    {
        var problem = error switch
        {
            MissingRequiredFields m => new HttpValidationProblemDetails(m.AsFieldErrors().ToDictionary())
            {
                Extensions = { ["missingFields"] = m.Fields },
            },
            IFieldErrors f => new HttpValidationProblemDetails(f.FieldErrors.ToDictionary()),
            _ => new ProblemDetails(),
        };
        problem.Type = TypeUri(error.Type);
        problem.Title = error.Title;
        problem.Detail = error.Detail;
        problem.Status = StatusOf(error.Kind);
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Create(int status, string type, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Status = status, Type = TypeUri(type), Title = title, Detail = detail });

    public static ProblemHttpResult BadRequest(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Type = TypeUri("malformed-request"),
            Title = "The request body cannot be read",
            Detail = $"{field}: {message}",
        });

    /// <summary>A body over the server's limit (<c>ChangeTrail:Limits:MaxRequestBodyBytes</c>, or the endpoint's own).</summary>
    public static ProblemHttpResult PayloadTooLarge(HttpContext context) =>
        Create(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "The request body is too large", PayloadTooLargeDetail(context));

    private static string PayloadTooLargeDetail(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } max
            ? $"The request body is larger than the {max} bytes this server accepts; nothing was done."
            : "The request body is larger than this server accepts; nothing was done.";

    public static Task Write(HttpContext context, int status, string type, string title, string detail) =>
        Create(status, type, title, detail).ExecuteAsync(context);

    /// <summary>
    /// The status code pages under /api (an unknown route, a wrong method): problem+json whatever Accept asks for, as every
    /// other error. The framework's own page gave a client accepting only, say, XML a text/plain one.
    /// </summary>
    public static Task StatusCodePage(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var problem = new ProblemDetails { Status = http.Response.StatusCode, Title = ReasonPhrases.GetReasonPhrase(http.Response.StatusCode) };
        Customize(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
        return TypedResults.Problem(problem).ExecuteAsync(http);
    }

    /// <summary>Names the type of problems raised by the framework itself (unknown route, wrong method, ...).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || problem.Type.StartsWith("https://", StringComparison.Ordinal))
        {
            problem.Type = TypeUri(problem.Status switch
            {
                400 => "malformed-request",
                401 => "unauthenticated",
                403 => "forbidden",
                404 => "not-found",
                405 => "method-not-allowed",
                409 => "conflict",
                412 => "precondition-failed",
                413 => "payload-too-large",
                415 => "unsupported-media-type",
                429 => "rate-limited",
                _ => "internal-error",
            });
        }
        // The minimal APIs answer a body over the limit with the bare status; the status code pages make it this problem.
        if (problem.Status == StatusCodes.Status413PayloadTooLarge)
        {
            problem.Title = "The request body is too large";
            problem.Detail ??= PayloadTooLargeDetail(context.HttpContext);
        }
        problem.Extensions.Remove("traceId");
    }
}

/// <summary>
/// Turns an unreadable body into a 400 that names the JSON path at fault. ASP.NET Core's own 400 says
/// only that binding failed; a client needs to know which member was wrong.
/// </summary>
public sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
            return false;

        var json = badRequest.InnerException as JsonException ?? exception.InnerException?.InnerException as JsonException;
        var result = json is not null ? Problems.BadRequest(FieldOf(json), MessageOf(json))
            : badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? Problems.PayloadTooLarge(httpContext)
            : Problems.Create(badRequest.StatusCode, badRequest.StatusCode == 415 ? "unsupported-media-type" : "malformed-request",
                "The request cannot be read", badRequest.Message);
        await result.ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>"$.services[0]" becomes "services[0]"; an unknown member is named by the message, not the path.</summary>
    public static string FieldOf(JsonException exception)
    {
        var path = exception.Path ?? "$";
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var unmapped = UnmappedMember(exception.Message);
        if (unmapped is not null)
            field = field.Length == 0 ? unmapped : field.EndsWith(unmapped, StringComparison.Ordinal) ? field : $"{field}.{unmapped}";
        return field.Length == 0 ? "$" : field;
    }

    public static string MessageOf(JsonException exception) =>
        UnmappedMember(exception.Message) is not null ? "Unknown member."
        : exception.Message.Contains("could not be converted", StringComparison.Ordinal) ? "Wrong type or value for this member."
        : exception.Message.Split(" Path:", 2)[0];

    private static string? UnmappedMember(string message)
    {
        const string marker = "The JSON property '";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0 || !message.Contains("could not be mapped", StringComparison.Ordinal))
            return null;
        start += marker.Length;
        var end = message.IndexOf('\'', start);
        return end > start ? message[start..end] : null;
    }
}
