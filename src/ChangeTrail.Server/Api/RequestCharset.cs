using System.Text;
using Microsoft.Net.Http.Headers;

namespace ChangeTrail.Server.Api;

/// <summary>
/// A body is read in the charset its Content-Type names. The JSON binding throws on one .NET cannot decode (a typo, or
/// UTF-7, which .NET refuses), which answered 500; the mistake is the client's, so it is a 415 before anything reads the body.
/// </summary>
public sealed class RequestCharset(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (Unreadable(context.Request.ContentType) is { } charset)
        {
            await Problems.Write(context, StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported charset",
                $"This server cannot read a body in the charset '{charset}'; send UTF-8.");
            return;
        }
        await next(context);
    }

    /// <summary>The charset <paramref name="contentType"/> names when no encoding of that name exists here; else null.</summary>
    public static string? Unreadable(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || !mediaType.Charset.HasValue)
            return null;
        var charset = HeaderUtilities.RemoveQuotes(mediaType.Charset).ToString();
        try
        {
            Encoding.GetEncoding(charset);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return charset;
        }
    }
}
