using System.IO.Compression;
using System.Net;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace ChangeTrail.Browser.Tests;

/// <summary>
/// The stylesheet and the script as a browser gets them from the server in Production: whole, with their
/// type, compressed only in an encoding the browser asked for, and cacheable. A server that answers them
/// with an empty 200 shows every page unstyled, which no test of the markup notices. The HTTP tests run
/// without Chromium; the page test needs it.
/// </summary>
public sealed class StaticAssetTests(SetUpServer fixture) : IClassFixture<SetUpServer>, IDisposable
{
    private readonly SetUpServer _fixture = fixture;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        BaseAddress = fixture.Address,
    };

    [Theory]
    [InlineData("css/site.css", "text/css", "gzip")]
    [InlineData("css/site.css", "text/css", "br")]
    [InlineData("css/site.css", "text/css", "")]
    [InlineData("js/site.js", "text/javascript", "gzip")]
    [InlineData("js/site.js", "text/javascript", "br")]
    [InlineData("js/site.js", "text/javascript", "")]
    public async Task An_asset_comes_whole_with_its_type_in_an_encoding_the_browser_accepts(string path, string mediaType, string acceptEncoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (acceptEncoding.Length > 0)
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (response.Content.Headers.ContentType?.MediaType).ShouldBe(mediaType);
        var encoding = response.Content.Headers.ContentEncoding.SingleOrDefault();
        // Build output holds gzip copies and published output gzip and Brotli ones; anything else goes uncompressed.
        if (acceptEncoding == "gzip")
            encoding.ShouldBe("gzip");
        else if (acceptEncoding == "br")
            encoding.ShouldBeOneOf("br", null);
        else
            encoding.ShouldBeNull();
        response.Headers.ETag.ShouldNotBeNull();
        response.Headers.Vary.ShouldContain("Accept-Encoding");
        var body = Decode(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken), encoding);
        body.ShouldNotBeEmpty();
        body.ShouldBe(await File.ReadAllBytesAsync(SourceOf(path), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("css/site.css")]
    [InlineData("js/site.js")]
    public async Task An_asset_the_browser_already_has_is_not_sent_again(string path)
    {
        using var first = new HttpRequestMessage(HttpMethod.Get, path);
        first.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var fetched = await _http.SendAsync(first, TestContext.Current.CancellationToken);
        fetched.StatusCode.ShouldBe(HttpStatusCode.OK);
        fetched.Headers.ETag.ShouldNotBeNull();

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        again.Headers.IfNoneMatch.Add(fetched.Headers.ETag);
        using var revalidated = await _http.SendAsync(again, TestContext.Current.CancellationToken);

        revalidated.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task The_sign_in_page_gets_its_stylesheet_and_script_and_is_styled()
    {
        await using var context = await _fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        var responses = new List<IResponse>();
        var failures = new List<string>();
        page.Response += (_, response) => responses.Add(response);
        page.RequestFailed += (_, request) => failures.Add($"{request.Url}: {request.Failure}");

        await page.GotoAsync("/login");

        foreach (var (path, mediaType) in new[] { ("/css/site.css", "text/css"), ("/js/site.js", "text/javascript") })
        {
            var response = responses.SingleOrDefault(r => new Uri(r.Url).AbsolutePath == path);
            response.ShouldNotBeNull($"no response for {path}; failed requests: {string.Join(", ", failures)}");
            response.Status.ShouldBe(200, path);
            (await response.HeaderValueAsync("content-type")).ShouldNotBeNull(path).ShouldStartWith(mediaType);
            (await response.BodyAsync()).ShouldBe(await File.ReadAllBytesAsync(SourceOf(path), TestContext.Current.CancellationToken), path);
        }
        // What site.css does to the form: the sign-in column is narrow and its button has the accent colour.
        await Expect(page.Locator("main section.narrow")).ToHaveCSSAsync("max-width", "460px");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToHaveCSSAsync("background-color", "rgb(11, 92, 173)");
    }

    public void Dispose() => _http.Dispose();

    private static string SourceOf(string path) =>
        Path.Combine(Screenshots.RepositoryRoot, "src", "ChangeTrail.Server", "wwwroot", path.TrimStart('/'));

    private static byte[] Decode(byte[] body, string? encoding)
    {
        if (encoding is null)
            return body;
        using var compressed = new MemoryStream(body);
        using Stream decoder = encoding switch
        {
            "gzip" => new GZipStream(compressed, CompressionMode.Decompress),
            "br" => new BrotliStream(compressed, CompressionMode.Decompress),
            _ => throw new InvalidOperationException($"Unexpected Content-Encoding {encoding}."),
        };
        using var plain = new MemoryStream();
        decoder.CopyTo(plain);
        return plain.ToArray();
    }
}
