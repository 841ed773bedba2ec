using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Http;

/// <summary>
/// The CLI's only way to the server: sends a request under <c>/api/v1</c> with the bearer token and turns
/// the answer into an exit code. Every failure is reported on stderr here, in one place, so all commands
/// word refusals and connection problems alike.
/// </summary>
internal sealed class ServerClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _server;
    private readonly TextWriter _error;
    private readonly TextWriter? _problemJson;

    /// <param name="server">The server's base address, possibly with a path prefix behind a proxy.</param>
    /// <param name="token">The bearer token.</param>
    /// <param name="handler">An in-process handler (tests), or null for a real network connection.</param>
    /// <param name="error">Where refusals and connection errors are reported.</param>
    /// <param name="problemJson">Where a refusal's raw problem document is echoed (--json), or null.</param>
    public ServerClient(Uri server, string token, HttpMessageHandler? handler, TextWriter error, TextWriter? problemJson)
    {
        _server = server;
        _error = error;
        _problemJson = problemJson;
        // The handler belongs to the caller (a test server): disposing this client must not close it.
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        // A trailing slash makes relative paths resolve below the prefix instead of replacing its last segment.
        _http.BaseAddress = new Uri(server.AbsoluteUri.TrimEnd('/') + "/api/v1/");
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("changetrail-cli", Version));
    }

    private static string Version =>
        typeof(ServerClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public Task<ApiResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    /// <summary>
    /// A POST without a body whose refusal is no error of the command's: nothing is reported, and the caller decides
    /// (a token that may not sign a checkpoint still reads the latest). Null status when the server could not be reached.
    /// </summary>
    public async Task<(HttpStatusCode? Status, string Body)> TryPostAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.PostAsync(path, content: null, cancellationToken);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (HttpRequestException)
        {
            return (null, "");
        }
    }

    /// <summary>A POST without a body, for transitions such as submit.</summary>
    public Task<ApiResponse> PostAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path), cancellationToken);

    public Task<ApiResponse> PostAsync<T>(string path, T body, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ApiJson.Options) },
            cancellationToken);

    /// <summary>A POST of JSON text exactly as the user wrote it; the server, not the CLI, judges its shape.</summary>
    public Task<ApiResponse> PostJsonTextAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") },
            cancellationToken);

    /// <summary>
    /// A GET whose successful answer is a file: its body is handed to <paramref name="save"/> as a stream, as it
    /// arrives, instead of being read as text. A refusal or no connection is reported as for any other call, and its
    /// exit code returned; an interrupted body surfaces from <paramref name="save"/> as an <see cref="IOException"/>.
    /// </summary>
    public async Task<int> DownloadAsync(string path, string mediaType, Func<Stream, CancellationToken, Task> save,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Report(request, response, await response.Content.ReadAsStringAsync(cancellationToken));
                return ExitCodeFor(response.StatusCode);
            }
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await save(body, cancellationToken);
            return ExitCodes.Success;
        }
        catch (HttpRequestException exception)
        {
            _error.WriteLine($"error: cannot reach the ChangeTrail server at {_server}: {OneLine(exception.Message)}");
            return ExitCodes.UsageOrConnection;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _error.WriteLine($"error: the ChangeTrail server at {_server} did not answer within {_http.Timeout.TotalSeconds:0} s.");
            return ExitCodes.UsageOrConnection;
        }
    }

    private async Task<ApiResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                    return new ApiResponse(ExitCodes.Success, body);
                var exitCode = ExitCodeFor(response.StatusCode);
                Report(request, response, body);
                return new ApiResponse(exitCode, body);
            }
            catch (HttpRequestException exception)
            {
                _error.WriteLine($"error: cannot reach the ChangeTrail server at {_server}: {OneLine(exception.Message)}");
                return new ApiResponse(ExitCodes.UsageOrConnection, "");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                _error.WriteLine($"error: the ChangeTrail server at {_server} did not answer within {_http.Timeout.TotalSeconds:0} s.");
                return new ApiResponse(ExitCodes.UsageOrConnection, "");
            }
        }
    }

    /// <summary>
    /// 1 ("denied") only when the server understood the request and its rules said no. 400 and 401 mean the
    /// request or the credentials are wrong, which a pipeline must not mistake for a decision; so do 5xx and
    /// anything unexpected.
    /// </summary>
    public static int ExitCodeFor(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed
            or HttpStatusCode.UnprocessableEntity => ExitCodes.Denied,
        _ => ExitCodes.UsageOrConnection,
    };

    /// <summary>
    /// One line <c>error: title: detail [type]</c>, then one indented line per field error. The problem type's
    /// name is kept because it is the stable identifier (titles may be reworded).
    /// </summary>
    private void Report(HttpRequestMessage request, HttpResponseMessage response, string body)
    {
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? TryReadProblem(body) : null;
        if (problem is null)
        {
            _error.WriteLine($"error: {(int)response.StatusCode} {response.ReasonPhrase} from {request.Method} {request.RequestUri}");
            return;
        }

        _problemJson?.WriteLine(body);
        var title = problem.Title ?? response.ReasonPhrase ?? $"HTTP {(int)response.StatusCode}";
        var detail = string.IsNullOrWhiteSpace(problem.Detail) ? "" : $": {OneLine(problem.Detail)}";
        var type = problem.Type is { Length: > 0 } t ? $" [{t[(t.LastIndexOf('/') + 1)..]}]" : "";
        _error.WriteLine($"error: {OneLine(title)}{detail}{type}");
        foreach (var (field, messages) in problem.Errors ?? [])
            foreach (var message in messages)
                _error.WriteLine($"  {field}: {OneLine(message)}");
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            _error.WriteLine($"  hint: check --token or {GlobalOptions.TokenVariable}.");
    }

    private static Problem? TryReadProblem(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<Problem>(body, ApiJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    public void Dispose() => _http.Dispose();

    /// <summary>RFC 9457 problem details, as the server writes them.</summary>
    private sealed record Problem(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);
}
