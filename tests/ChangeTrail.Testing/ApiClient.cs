using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChangeTrail.Contracts;

namespace ChangeTrail.Testing;

/// <summary>An RFC 9457 problem as a test reads it.</summary>
public sealed record Problem(string? Type, string? Title, int? Status, string? Detail, Dictionary<string, string[]>? Errors);

/// <summary>HttpClient with the API's JSON conventions. Every call goes through the real HTTP pipeline.</summary>
public sealed class ApiClient(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path);

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = body is null ? null : JsonContent.Create(body, body.GetType(), options: ApiJson.Options),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        return Http.SendAsync(request);
    }

    /// <summary>Sends raw JSON text, for malformed or unknown-member bodies.</summary>
    public Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string json, string contentType = "application/json",
        IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PatchAsync(string path, object patch, IDictionary<string, string>? headers = null) =>
        SendRawAsync(HttpMethod.Patch, path, JsonSerializer.Serialize(patch, ApiJson.Options), "application/merge-patch+json", headers);

    /// <summary>A multipart/form-data POST: the text fields, and a file in the part named <c>file</c>.</summary>
    public Task<HttpResponseMessage> PostFileAsync(string path, IReadOnlyDictionary<string, string> fields, string fileName, byte[] content)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
            form.Add(new StringContent(value), name);
        form.Add(new ByteArrayContent(content), "file", fileName);
        return Http.PostAsync(path, form);
    }

    public async Task<T> PostJsonAsync<T>(string path, object? body = null) => await ReadAsync<T>(await PostAsync(path, body));

    public async Task<T> GetJsonAsync<T>(string path) => await ReadAsync<T>(await GetAsync(path));

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        return JsonSerializer.Deserialize<T>(text, ApiJson.Options)!;
    }

    public static async Task<Problem> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
            throw new Xunit.Sdk.XunitException($"Expected {(int)expected} but got {(int)response.StatusCode}: {text}");
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            throw new Xunit.Sdk.XunitException($"Expected application/problem+json but got {response.Content.Headers.ContentType}: {text}");
        return JsonSerializer.Deserialize<Problem>(text, ApiJson.Options)!;
    }
}
