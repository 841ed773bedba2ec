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
    private readonly string? _unauthorizedHint;
    private readonly RetryPolicy _retry;

    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <param name="server">The server's base address, possibly with a path prefix behind a proxy.</param>
    /// <param name="token">The bearer token, or null for the calls anyone may make (<c>POST /auth/tokens</c>).</param>
    /// <param name="handler">An in-process handler (tests), or null for a real network connection.</param>
    /// <param name="error">Where refusals and connection errors are reported.</param>
    /// <param name="problemJson">Where a refusal's raw problem document is echoed (--json), or null.</param>
    /// <param name="unauthorizedHint">What to check when the server does not accept the token (401): where it came from.</param>
    /// <param name="retry">When to send a request again that got no answer; by default never.</param>
    public ServerClient(Uri server, string? token, HttpMessageHandler? handler, TextWriter error, TextWriter? problemJson,
        string? unauthorizedHint = null, RetryPolicy? retry = null)
    {
        _retry = retry ?? RetryPolicy.None;
        _server = server;
        _error = error;
        _problemJson = problemJson;
        _unauthorizedHint = unauthorizedHint ?? (token is null ? null : $"check --token or {GlobalOptions.TokenVariable}.");
        // The handler belongs to the caller (a test server): disposing this client must not close it.
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        // A trailing slash makes relative paths resolve below the prefix instead of replacing its last segment.
        _http.BaseAddress = new Uri(server.AbsoluteUri.TrimEnd('/') + "/api/v1/");
        if (token is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("changetrail-cli", Version));
    }

    private static string Version =>
        typeof(ServerClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public Task<ApiResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

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
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path), cancellationToken);

    public Task<ApiResponse> PostAsync<T>(string path, T body, CancellationToken cancellationToken) =>
        PostAsync(path, body, handled: null, cancellationToken);

    /// <summary>
    /// A POST of JSON whose refusals that <paramref name="handled"/> accepts (by status and problem type) are left to the
    /// caller: neither reported on stderr nor echoed with --json. <c>login</c> answers <c>password-change-required</c> by
    /// asking for a new password, which is no error.
    /// </summary>
    public Task<ApiResponse> PostAsync<T>(string path, T body, Func<HttpStatusCode, string?, bool>? handled, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: ApiJson.Options) },
            cancellationToken, handled);

    /// <summary>A DELETE; refusals that <paramref name="handled"/> accepts are left to the caller, as for a POST.</summary>
    public Task<ApiResponse> DeleteAsync(string path, Func<HttpStatusCode, string?, bool>? handled, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, path), cancellationToken, handled);

    /// <summary>
    /// A DELETE whose outcome is no error of the command's (revoking a token no longer used): nothing is reported. Null
    /// status when the server could not be reached.
    /// </summary>
    public async Task<HttpStatusCode?> TryDeleteAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.DeleteAsync(path, cancellationToken);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>A POST of JSON text exactly as the user wrote it; the server, not the CLI, judges its shape.</summary>
    public Task<ApiResponse> PostJsonTextAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") },
            cancellationToken);

    /// <summary>
    /// A multipart/form-data POST of <paramref name="fields"/> and the file at <paramref name="file"/> as the part
    /// <paramref name="fileField"/>, streamed from disk (never read whole into memory), opened again for each attempt.
    /// Refusals are reported with <paramref name="subject"/> (the file's name) in front.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public Task<ApiResponse> PostFileAsync(string path, IEnumerable<(string Name, string? Value)> fields, string fileField, FileInfo file,
        string subject, CancellationToken cancellationToken)
    {
        // One boundary for every attempt: the server recognises a retry by the hash of the body, boundary included.
        var boundary = $"changetrail-{Guid.NewGuid():N}";
        var given = fields.Where(f => f.Value is not null).ToList();
        return SendAsync(() =>
        {
            var form = new MultipartFormDataContent(boundary);
            foreach (var (name, value) in given)
                form.Add(new StringContent(value!), name);
            var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            var content = new StreamContent(stream, 81920);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, fileField, file.Name);
            return new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        }, cancellationToken, subject: subject);
    }

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
                var refusal = await response.Content.ReadAsStringAsync(cancellationToken);
                Report(request, response, refusal, ProblemOf(response, refusal));
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

    /// <summary>
    /// Sends the request <paramref name="create"/> makes, once, or again as <see cref="_retry"/> allows when no answer came
    /// (a new message each time: a message, and its body, can be sent only once). A POST carries one
    /// <c>Idempotency-Key</c> across its attempts, so a retry of one that did arrive is answered from the first.
    /// </summary>
    /// <param name="subject">What a report is about, put before it (a file name), or null.</param>
    private async Task<ApiResponse> SendAsync(Func<HttpRequestMessage> create, CancellationToken cancellationToken,
        Func<HttpStatusCode, string?, bool>? handled = null, string? subject = null)
    {
        var retry = _retry;
        string? idempotencyKey = null;
        for (var attempt = 1; ; attempt++)
        {
            using var request = create();
            if (retry.Retries > 0 && request.Method == HttpMethod.Post)
            {
                idempotencyKey ??= Guid.NewGuid().ToString("N");
                request.Headers.Add(IdempotencyKeyHeader, idempotencyKey);
            }
            var last = attempt >= retry.Attempts;
            string failure;
            try
            {
                using var response = await _http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                    return new ApiResponse(ExitCodes.Success, body, response.StatusCode);
                var problem = ProblemOf(response, body);
                var type = ShortType(problem);
                // 409 idempotency-key-in-flight: this very request's earlier attempt is still running on the server.
                var again = RetryPolicy.IsTransient(response.StatusCode)
                    || (idempotencyKey is not null && response.StatusCode == HttpStatusCode.Conflict && type == "idempotency-key-in-flight");
                if (again && !last)
                {
                    failure = $"{(int)response.StatusCode} {response.ReasonPhrase} from {request.Method} {request.RequestUri}";
                }
                else
                {
                    if (handled?.Invoke(response.StatusCode, type) != true)
                        Report(request, response, body, problem, subject);
                    return new ApiResponse(ExitCodeFor(response.StatusCode), body, response.StatusCode, type);
                }
            }
            catch (HttpRequestException exception)
            {
                failure = $"cannot reach the ChangeTrail server at {_server}: {OneLine(exception.Message)}";
                if (last)
                    return Unreachable($"{failure}{After(retry)}", subject);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"the ChangeTrail server at {_server} did not answer within {_http.Timeout.TotalSeconds:0} s";
                if (last)
                    return Unreachable($"{failure}{After(retry)}.", subject);
            }
            var delay = retry.DelayAfter(attempt);
            _error.WriteLine($"warning: {Prefix(subject)}{failure}; retrying in {delay.TotalSeconds:0.0} s (attempt {attempt + 1} of {retry.Attempts}).");
            await Task.Delay(delay, cancellationToken);
        }
    }

    private ApiResponse Unreachable(string failure, string? subject)
    {
        _error.WriteLine($"error: {Prefix(subject)}{failure}");
        return new ApiResponse(ExitCodes.UsageOrConnection, "");
    }

    private static string After(RetryPolicy retry) => retry.Attempts > 1 ? $" (after {retry.Attempts} attempts)" : "";

    private static string Prefix(string? subject) => subject is null ? "" : $"{subject}: ";

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
    private void Report(HttpRequestMessage request, HttpResponseMessage response, string body, Problem? problem, string? subject = null)
    {
        if (problem is null)
        {
            _error.WriteLine($"error: {Prefix(subject)}{(int)response.StatusCode} {response.ReasonPhrase} from {request.Method} {request.RequestUri}");
        }
        else
        {
            _problemJson?.WriteLine(body);
            var title = problem.Title ?? response.ReasonPhrase ?? $"HTTP {(int)response.StatusCode}";
            var detail = string.IsNullOrWhiteSpace(problem.Detail) ? "" : $": {OneLine(problem.Detail)}";
            var type = ShortType(problem) is { } name ? $" [{name}]" : "";
            _error.WriteLine($"error: {Prefix(subject)}{OneLine(title)}{detail}{type}");
            foreach (var (field, messages) in problem.Errors ?? [])
                foreach (var message in messages)
                    _error.WriteLine($"  {field}: {OneLine(message)}");
        }
        if (response.StatusCode == HttpStatusCode.Unauthorized && _unauthorizedHint is not null)
            _error.WriteLine($"  hint: {_unauthorizedHint}");
        // Rate-limited: say when to come back rather than leave a script to hammer the server.
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var after = response.Headers.RetryAfter is { } retry
                ? retry.Delta is { } delta ? $"in {Math.Ceiling(delta.TotalSeconds):0} s"
                : retry.Date is { } date ? $"after {date.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "later"
                : "later";
            _error.WriteLine($"  hint: too many requests from this address; try again {after}.");
        }
    }

    private static Problem? ProblemOf(HttpResponseMessage response, string body) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? TryReadProblem(body) : null;

    /// <summary>The problem type's last segment, <c>/problems/invalid-credentials</c> → <c>invalid-credentials</c>.</summary>
    private static string? ShortType(Problem? problem) =>
        problem?.Type is { Length: > 0 } type ? type[(type.LastIndexOf('/') + 1)..] : null;

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
