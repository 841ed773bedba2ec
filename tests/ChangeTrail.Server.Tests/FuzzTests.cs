using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Persistence;
using ChangeTrail.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Issue 9: malformed requests — wrong types, huge values, bad encodings, injection strings, bad ids and paging — to every
/// operation of the OpenAPI document, with and without valid tokens, through the real HTTP pipeline. None may answer 5xx,
/// every 4xx under /api is problem+json with a <c>type</c>, and no record may change. Only malformed requests are made (a
/// valid write would rightly change records): see <see cref="MalformedRequests"/>. The requests come from a seeded Random:
/// <c>CHANGETRAIL_FUZZ_SEED</c> reruns a seed, <c>CHANGETRAIL_FUZZ_REQUESTS</c> sends more or fewer.
/// </summary>
public abstract class FuzzTests(ChangeTrailApp app, int requests) : ProviderTests(app)
{
    public const int SqliteRequests = 10_000;
    public const int PostgresRequests = 2_000;
    public const string SeedVariable = "CHANGETRAIL_FUZZ_SEED";
    public const string RequestsVariable = "CHANGETRAIL_FUZZ_REQUESTS";
    public const int DefaultSeed = 92026;

    /// <summary>Requests in flight at once: the server's own work is spread over the machine's cores.</summary>
    private const int Parallelism = 4;

    /// <summary>A request still unanswered after this long is a failure too (a 20,000-element array must not take minutes).</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Malformed_requests_to_every_operation_answer_no_server_error_and_change_no_record()
    {
        var seed = NumberFrom(SeedVariable) ?? DefaultSeed;
        var count = NumberFrom(RequestsVariable) ?? requests;
        var log = TestContext.Current.TestOutputHelper;
        log?.WriteLine($"Fuzz: seed {seed}, {count} requests, {App.Provider} ({SeedVariable}={seed} reruns it).");

        using var client = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        client.Timeout = Timeout.InfiniteTimeSpan;
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct));
        var operations = FuzzOperation.Read(document.RootElement);
        var generator = new MalformedRequests(seed, operations, await CredentialsAsync());

        var before = await CountRecordsAsync();
        var results = new FuzzResults(seed, App.Provider);
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = Ct }, async (_, cancellationToken) =>
        {
            FuzzRequest request;
            lock (generator)
                request = generator.Next();
            results.Add(request, await SendAsync(client, request, cancellationToken));
        });
        clock.Stop();
        var after = await CountRecordsAsync();

        log?.WriteLine(results.Summary(operations, clock.Elapsed));
        var changed = before.Where(b => after[b.Key] != b.Value).Select(b => $"{b.Key}: {b.Value} before, {after[b.Key]} after").ToList();
        if (results.Report(changed) is { } report)
            Assert.Fail(report);
    }

    private static int? NumberFrom(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    /// <summary>Who the requests come as: nobody, a bad token (<see cref="MalformedRequests.GarbageAuthorization"/>), and real tokens.</summary>
    private async Task<IReadOnlyList<FuzzCredential>> CredentialsAsync()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var pipeline = await S.ServiceAccountAsync([Scopes.ChangesRead, Scopes.ChangesWrite, Scopes.LedgerRead], Role.Implementer, Role.Auditor);
        return
        [
            new("none", null),
            new("garbage token", null),
            new("admin", $"Bearer {App.AdminToken}"),
            new("requestor", $"Bearer {requestor.Token}"),
            new("service account", $"Bearer {pipeline.Token}"),
        ];
    }

    /// <summary>
    /// The rows of every table a request could add to or remove from, and the ledger entries except refused sign-ins (an
    /// injection string tried as an email is rightly recorded). Checkpoints, sign-in throttles, idempotency records,
    /// webhook deliveries and Data Protection keys are bookkeeping a malformed request may legitimately leave.
    /// </summary>
    private async Task<Dictionary<string, long>> CountRecordsAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        return new()
        {
            ["ChangeRequests"] = await db.ChangeRequests.IgnoreAutoIncludes().LongCountAsync(Ct),
            ["Approvals"] = await db.Approvals.LongCountAsync(Ct),
            ["ChangeEvents"] = await db.ChangeEvents.LongCountAsync(Ct),
            ["Users (AspNetUsers)"] = await db.Users.LongCountAsync(Ct),
            ["UserRoles (AspNetUserRoles)"] = await db.UserRoles.LongCountAsync(Ct),
            ["ApiTokens"] = await db.ApiTokens.LongCountAsync(Ct),
            ["Services"] = await db.Services.LongCountAsync(Ct),
            ["RetentionSettings"] = await db.RetentionSettings.LongCountAsync(Ct),
            ["Installations"] = await db.Installations.LongCountAsync(Ct),
            ["LedgerEntry (except SignInAttempt)"] = await db.LedgerEntries.LongCountAsync(e => e.SubjectType != LedgerSubjectTypes.SignInAttempt, Ct),
        };
    }

    private static async Task<FuzzResponse> SendAsync(HttpClient client, FuzzRequest request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var message = request.ToMessage();
            using var response = await client.SendAsync(message, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return new FuzzResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, Stopwatch.GetElapsedTime(started), null);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var error = timeout.IsCancellationRequested ? $"no answer within {RequestTimeout.TotalSeconds} s" : $"{e.GetType().Name}: {e.Message}";
            return new FuzzResponse(0, null, "", Stopwatch.GetElapsedTime(started), error);
        }
    }
}

public sealed class FuzzTests_Sqlite(SqliteApp app) : FuzzTests(app, SqliteRequests), IClassFixture<SqliteApp>;

public sealed class FuzzTests_Postgres(PostgresApp app) : FuzzTests(app, PostgresRequests), IClassFixture<PostgresApp>;

/// <summary>A way of calling: its name in reports, and its Authorization header (none, or one made per request for a bad token).</summary>
internal sealed record FuzzCredential(string Name, string? Authorization);

/// <summary>One request as sent, kept whole so a failure can be shown exactly.</summary>
internal sealed record FuzzRequest(int Number, string Operation, string Kind, string Credential, string Method, string Target,
    IReadOnlyList<KeyValuePair<string, string>> Headers, string? ContentType, byte[]? Body)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri("http://localhost" + Target));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
                message.Content?.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"#{Number} {Operation}, {Kind}, as {Credential}\n");
        text.Append(CultureInfo.InvariantCulture, $"    {Method} {Shorten(Target, 300)}\n");
        foreach (var (name, value) in Headers)
            text.Append(CultureInfo.InvariantCulture, $"    {name}: {Shorten(value, 120)}\n");
        if (Body is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"    Content-Type: {ContentType ?? "(none)"}\n");
            text.Append(CultureInfo.InvariantCulture, $"    body ({Body.Length} bytes): {Shorten(Printable(Body), 300)}\n");
        }
        return text.ToString();
    }

    /// <summary>The body as text, bytes that are not UTF-8 and control characters shown escaped.</summary>
    private static string Printable(byte[] body)
    {
        var head = body.AsSpan(0, Math.Min(body.Length, 2000));
        var text = new StringBuilder();
        foreach (var rune in Encoding.UTF8.GetString(head).EnumerateRunes())
        {
            if (rune == Rune.ReplacementChar)
                text.Append("\\x??");
            else if (Rune.IsControl(rune))
                text.Append(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}");
            else
                text.Append(rune.ToString());
        }
        return text.ToString();
    }

    public static string Shorten(string text, int length) => text.Length <= length ? text : $"{text[..length]}… ({text.Length} characters)";
}

internal sealed record FuzzResponse(int Status, string? MediaType, string Body, TimeSpan Elapsed, string? Error);

/// <summary>What came back: counts for the summary, and every failure with the first requests that showed each.</summary>
internal sealed class FuzzResults(int seed, TestProvider provider)
{
    private const int ExamplesShown = 40;

    /// <summary>Signs a checkpoint whatever its body (a checkpoint is bookkeeping, not a record).</summary>
    private const string SignsCheckpoint = "POST /api/v1/ledger/checkpoint";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _statuses = [];
    private readonly Dictionary<string, int> _kinds = [];
    private readonly Dictionary<string, int> _operations = [];
    private readonly Dictionary<string, (int Count, string Example)> _failures = [];
    private readonly List<string> _accepted = [];
    private int _total;
    private int _failed;
    private (TimeSpan Elapsed, string Request) _slowest;

    public void Add(FuzzRequest request, FuzzResponse response)
    {
        var failure = FailureOf(request, response);
        lock (_lock)
        {
            _total++;
            Increment(_statuses, response.Status == 0 ? "no answer" : response.Status.ToString(CultureInfo.InvariantCulture));
            Increment(_kinds, request.Kind);
            Increment(_operations, request.Operation);
            if (response.Elapsed > _slowest.Elapsed)
                _slowest = (response.Elapsed, $"#{request.Number} {request.Operation} ({request.Kind}, {response.Status})");
            if (response.Status is >= 200 and < 300 && request.Method is not ("GET" or "HEAD" or "OPTIONS") && request.Operation != SignsCheckpoint
                && _accepted.Count < ExamplesShown)
                _accepted.Add($"{request.Describe()}  → {response.Status} {FuzzRequest.Shorten(response.Body, 300)}");
            if (failure is null)
                return;
            _failed++;
            var key = $"{failure} | {request.Operation} | {request.Kind} | {response.Status}";
            _failures[key] = _failures.TryGetValue(key, out var seen)
                ? (seen.Count + 1, seen.Example)
                : (1, $"{failure}: {request.Describe()}  → {response.Status} {response.MediaType} {FuzzRequest.Shorten(response.Error ?? response.Body, 500)}");
        }
    }

    private static string? FailureOf(FuzzRequest request, FuzzResponse response)
    {
        if (response.Error is not null)
            return "no answer";
        if (response.Status >= 500)
            return "server error";
        if (response.Status is >= 400 and < 500 && request.Target.StartsWith("/api/", StringComparison.Ordinal) && !IsProblem(response))
            return "4xx not problem+json with a type";
        return null;
    }

    private static bool IsProblem(FuzzResponse response)
    {
        if (response.MediaType != "application/problem+json")
            return false;
        try
        {
            using var problem = JsonDocument.Parse(response.Body);
            return problem.RootElement.ValueKind == JsonValueKind.Object
                && problem.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static int Severity(string failure) =>
        failure.StartsWith("server error", StringComparison.Ordinal) ? 0 : failure.StartsWith("no answer", StringComparison.Ordinal) ? 1 : 2;

    private static void Increment(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    public string Summary(IReadOnlyList<FuzzOperation> operations, TimeSpan elapsed)
    {
        lock (_lock)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture,
                $"{_total} requests to {operations.Count} operations on {provider} in {elapsed.TotalSeconds:F1} s ({_total / Math.Max(elapsed.TotalSeconds, 0.001):F0}/s), seed {seed}; slowest {_slowest.Elapsed.TotalMilliseconds:F0} ms: {_slowest.Request}\n");
            text.Append("statuses: ").AppendJoin(", ", _statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} ×{s.Value}")).Append('\n');
            text.Append("kinds: ").AppendJoin(", ", _kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} ×{k.Value}")).Append('\n');
            var untyped = operations.SelectMany(o => o.UntypedMembers().Select(m => $"{o.Name} {m}")).ToList();
            if (untyped.Count > 0)
                text.Append("members the document gives no type: ").AppendJoin(", ", untyped).Append('\n');
            var missed = operations.Select(o => o.Name).Where(o => !_operations.ContainsKey(o)).ToList();
            if (missed.Count > 0)
                text.Append("operations not reached: ").AppendJoin(", ", missed).Append('\n');
            return text.ToString();
        }
    }

    /// <summary>Null when every request passed and no record changed; else everything that went wrong, with example requests.</summary>
    public string? Report(IReadOnlyList<string> changedRecords)
    {
        lock (_lock)
        {
            if (_failed == 0 && changedRecords.Count == 0)
                return null;
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture,
                $"Fuzz seed {seed} on {provider} (rerun with {FuzzTests.SeedVariable}={seed}): {_failed} of {_total} requests failed, in {_failures.Count} ways.\n");
            if (changedRecords.Count > 0)
            {
                text.Append("Records changed: ").AppendJoin("; ", changedRecords).Append('\n');
                text.Append(CultureInfo.InvariantCulture, $"Writes answered 2xx (except {SignsCheckpoint}):\n").AppendJoin("", _accepted).Append('\n');
            }
            foreach (var (_, (count, example)) in _failures.OrderBy(f => Severity(f.Key)).ThenBy(f => f.Key, StringComparer.Ordinal).Take(ExamplesShown))
                text.Append(CultureInfo.InvariantCulture, $"\n×{count} {example}\n");
            if (_failures.Count > ExamplesShown)
                text.Append(CultureInfo.InvariantCulture, $"\n… and {_failures.Count - ExamplesShown} more ways.\n");
            return text.ToString();
        }
    }
}

/// <summary>An operation of the OpenAPI document: its path, parameters and request body, schemas resolved.</summary>
internal sealed record FuzzOperation(string Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> QueryParameters,
    Shape? Body, IReadOnlyList<string> PathMethods)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    public string Name => $"{Method} {Path}";

    /// <summary>Members of the body the document gives no type: they get only untyped junk (a custom converter hides a type).</summary>
    public IEnumerable<string> UntypedMembers() => Untyped(Body, "");

    private static IEnumerable<string> Untyped(Shape? shape, string path) => shape switch
    {
        AnyShape => [path.Length == 0 ? "$" : path],
        ArrayShape a => Untyped(a.Items, $"{path}[]"),
        ObjectShape o => o.Properties.SelectMany(p => Untyped(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}"))
            .Concat(o.Additional is null ? [] : Untyped(o.Additional, $"{path}.*")),
        _ => [],
    };

    public static IReadOnlyList<FuzzOperation> Read(JsonElement document)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var operations = new List<FuzzOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var methods = path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)).ToList();
            var shared = path.Value.TryGetProperty("parameters", out var common) ? common.EnumerateArray().ToList() : [];
            foreach (var method in methods)
            {
                var parameters = shared.Concat(method.Value.TryGetProperty("parameters", out var own) ? own.EnumerateArray() : []).ToList();
                Shape? body = null;
                if (method.Value.TryGetProperty("requestBody", out var requestBody))
                {
                    var content = requestBody.GetProperty("content");
                    var media = content.TryGetProperty("application/json", out var json) ? json : content.EnumerateObject().First().Value;
                    body = Shape.Of(media.GetProperty("schema"), schemas);
                }
                operations.Add(new FuzzOperation(method.Name.ToUpperInvariant(), path.Name, NamesIn(parameters, "path"), NamesIn(parameters, "query"), body,
                    methods.Select(m => m.Name.ToUpperInvariant()).ToList()));
            }
        }
        return operations;
    }

    private static List<string> NamesIn(IEnumerable<JsonElement> parameters, string place) =>
        parameters.Where(p => p.GetProperty("in").GetString() == place).Select(p => p.GetProperty("name").GetString()!).ToList();
}

/// <summary>A request body schema, simplified to what the generator needs: the JSON type, whether null is allowed, the parts.</summary>
internal abstract record Shape(bool Nullable)
{
    public static Shape Of(JsonElement schema, JsonElement schemas, int depth = 0)
    {
        if (depth > 16)
            return new AnyShape(true);
        if (schema.TryGetProperty("$ref", out var reference))
            return Of(schemas.GetProperty(reference.GetString()!.Split('/')[^1]), schemas, depth + 1);
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.TryGetProperty(combinator, out var alternatives))
            {
                var all = alternatives.EnumerateArray().ToList();
                var shape = Of(all.First(a => !IsNull(a)), schemas, depth + 1);
                return all.Any(IsNull) ? shape with { Nullable = true } : shape;
            }
        }
        var types = schema.TryGetProperty("type", out var type)
            ? type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToHashSet() : [type.GetString()!]
            : new HashSet<string>();
        var nullable = types.Contains("null");
        if (schema.TryGetProperty("enum", out var values))
        {
            var names = values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList();
            return new EnumShape(nullable || values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Null), names);
        }
        if (types.Contains("object") || schema.TryGetProperty("properties", out _))
        {
            var properties = schema.TryGetProperty("properties", out var members)
                ? members.EnumerateObject().Select(m => new KeyValuePair<string, Shape>(m.Name, Of(m.Value, schemas, depth + 1))).ToList()
                : [];
            var additional = schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.Object
                ? Of(extra, schemas, depth + 1)
                : null;
            return new ObjectShape(nullable, properties, additional);
        }
        if (types.Contains("array"))
            return new ArrayShape(nullable, schema.TryGetProperty("items", out var items) ? Of(items, schemas, depth + 1) : new AnyShape(true));
        if (types.Contains("integer") || types.Contains("number"))
            return new NumberShape(nullable, Integer: !types.Contains("number"), AcceptsString: types.Contains("string"));
        if (types.Contains("boolean"))
            return new BooleanShape(nullable);
        if (types.Contains("string"))
            return new StringShape(nullable, schema.TryGetProperty("format", out var format) ? format.GetString() : null);
        return new AnyShape(true);
    }

    private static bool IsNull(JsonElement schema) =>
        schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "null";
}

internal sealed record StringShape(bool Nullable, string? Format) : Shape(Nullable);

internal sealed record NumberShape(bool Nullable, bool Integer, bool AcceptsString) : Shape(Nullable);

internal sealed record BooleanShape(bool Nullable) : Shape(Nullable);

internal sealed record EnumShape(bool Nullable, IReadOnlyList<string> Values) : Shape(Nullable);

internal sealed record ArrayShape(bool Nullable, Shape Items) : Shape(Nullable);

internal sealed record ObjectShape(bool Nullable, IReadOnlyList<KeyValuePair<string, Shape>> Properties, Shape? Additional) : Shape(Nullable);

internal sealed record AnyShape(bool Nullable) : Shape(Nullable);

/// <summary>
/// Makes the requests. Each is malformed in a way that cannot succeed whatever the server's state: every id in a path
/// is one no record has, every request to an operation with query parameters has a bad one, and a body is unreadable,
/// of the wrong shape or content type, has a member of the wrong type, an unknown member, or nesting too deep. Values of
/// the right type but extreme — huge strings and arrays, injection strings, odd dates and numbers — go where nothing can
/// succeed anyway (an unknown id; setup, which is done; a sign-in, with nobody's password), or in a body the rules must
/// refuse for a member it lacks (<see cref="NeededMembers"/>), or else with an unknown member after them, so they are
/// read but refused. Operations without a body or parameters get junk ones, wrong methods and bad headers.
/// </summary>
internal sealed class MalformedRequests(int seed, IReadOnlyList<FuzzOperation> operations, IReadOnlyList<FuzzCredential> credentials)
{
    public const int HugeStringLength = 100_000;
    public const int HugeArrayLength = 20_000;
    public const int DeepNesting = 10_000;
    public const int OversizedBytes = (1 << 20) + 64 * 1024;

    /// <summary>Nothing sent to these can succeed here: setup is done, and no request carries anyone's password.</summary>
    private static readonly HashSet<string> CannotSucceed = ["POST /api/v1/setup", "POST /api/v1/auth/tokens"];

    /// <summary>An unknown id in the path, or an operation in <see cref="CannotSucceed"/>: any body may go there.</summary>
    private static bool NothingCanSucceed(FuzzOperation operation) => operation.PathParameters.Count > 0 || CannotSucceed.Contains(operation.Name);

    /// <summary>
    /// Members without which the rules refuse a body of these operations (docs/api.md): a body holding only another member
    /// is refused whatever that member holds. "Only title and type are needed to draft" a change, for instance.
    /// </summary>
    private static readonly Dictionary<string, string[]> NeededMembers = new()
    {
        ["POST /api/v1/changes"] = ["type", "title"],
        ["POST /api/v1/users"] = ["email", "displayName"],
        ["POST /api/v1/service-accounts"] = ["name"],
        ["POST /api/v1/services"] = ["name"],
        ["PUT /api/v1/settings/retention"] = ["months"],
        ["POST /api/v1/gate"] = ["change", "service", "environment", "commit"],
        ["POST /api/v1/deployments"] = ["change", "service", "environment", "commit", "status"],
    };

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Stands for raw JSON text spliced in after serialising (nesting deeper than a writer allows, lone surrogates).</summary>
    private const string RawMarker = "FUZZ-RAW-5f0c9a";

    private const string UnknownMember = "fuzzUnknownMember";

    private readonly Random _random = new(seed);
    private int _next;

    /// <summary>Ids in a path, as written in the URL. No %00: the server refuses a path with a null character before the app sees it.</summary>
    private static readonly string[] BadIds =
    [
        "%20", "%09", "+", ".", "..", "..%2F..", "..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E", "%2F", "%5C", "%FF%FE",
        "%C0%AF", "%ED%A0%80", "%", "%zz", "%%", "%u0000", "%01", "%7F", Esc("' OR 1=1 --"), Esc("'; DROP TABLE \"ChangeRequests\"; --"),
        Esc("<script>alert(1)</script>"), "<script>", Esc("${jndi:ldap://example.test/a}"), Esc("{{7*7}}"), new string('A', 5_000),
        new string('9', 5_000), "99999999999999999999999", "2147483648", "-2147483649", "-1", "0", "-0", "1e309", "NaN", "Infinity", "0x1F",
        "CR-99999999999999999999", "CR-0", "CR--1", "CR-", "cr-1e3", "CR-%01", "CR-1.5", "CR-+1", "%EF%BC%A3%EF%BC%B2-1", "%E2%80%AE1-RC",
        "%F0%9F%98%80", Esc("e\u0301"), "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "00000000-0000-0000-0000-00000000000g", "null", "undefined", "%7B%7D", "%5B%5D", "true", Esc("\u00ff\u00fe"),
    ];

    private static readonly string[] BadQueryValues =
    [
        "", "%20", "-1", "0", "-0", "2147483647", "2147483648", "-2147483649", "99999999999999999999", "9223372036854775808", "1e309", "-1e309",
        "NaN", "Infinity", "1.5", "0x10", "1_000", "true", "null", "%5B%5D", "%7B%7D", Esc("' OR 1=1 --"), Esc("1; SELECT pg_sleep(10)--"),
        Esc("<script>alert(1)</script>"), "%00", "a%00b", "%FF%FE", "%C0%AF", "%", "%zz", Esc("\u202e"), Esc("😀"), "%F0%9F%98", new string('x', 5_000),
        new string('9', 5_000), "2030-13-45", "2030-02-30", "0000-00-00", "9999-12-31T23%3A59%3A59%2B14%3A00", "2030-01-01T00%3A00%3A00", "20300101",
        "CR-99999999999999999999", "Approved%2CDraft", "approved%00", Esc("%_%"), Esc("\\"), "%5C%25", "csv%00", "xml", "CSV ",
    ];

    private static readonly string[] EdgeStrings =
    [
        "", " ", "\t\n\r", "' OR 1=1 --", "\" OR \"\"=\"", "'; DROP TABLE \"ChangeRequests\"; --", "1; SELECT pg_sleep(10)--", "<script>alert(1)</script>",
        "${jndi:ldap://example.test/a}", "{{7*7}}", "../../../../etc/passwd", "..\\..\\windows\\win.ini", "%00", "a\0b", "\0", "\u202eevil", "😀😀",
        "e\u0301", "ＣＲ－１", "CR-99999999999999999999", "-1", "NaN", "null", "[]", "%s%s%s%n", "\\u0000", "\u007f", "\ufeff", "\uffff", "\u2028",
        "fuzz@", "@example.test", "a@b@c", "a\0@example.test", "javascript:alert(1)", "http://[::1", "file:///etc/passwd", new string('A', 5_000),
        new string('é', 5_000),
    ];

    private static readonly string[] EdgeDates =
    [
        "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.9999999-14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", "2030-02-30T00:00:00Z",
        "2030-01-01", "2030-01-01T00:00:00", "-2030-01-01T00:00:00Z", "+002030-01-01T00:00:00Z", "2030-01-01T24:00:00Z", "2030-01-01T00:00:00.1234567890123Z",
        "2030-W01-1", "1970-01-01T00:00:00Z", "2030-01-01T00:00:00+99:00", "2030-01-01T00:00:00 Z", " 2030-01-01T00:00:00Z",
    ];

    private static readonly string[] EdgeNumbers =
    [
        "-1", "0", "-0", "2147483647", "-2147483648", "2147483648", "-2147483649", "99999999999999999999", "1e309", "-1e309", "1.5", "1e-400",
        "2.4e1", "1E2", "0.0",
    ];

    private static readonly string[] UnknownNames =
        [UnknownMember, "__proto__", "constructor", "$type", "$id", "$ref", "$values", "", " ", "\0", "fuzz\u0301", "prototype"];

    private static readonly string[] BadContentTypes =
    [
        "text/plain", "application/xml", "text/html", "text/json", "application/x-www-form-urlencoded", "multipart/form-data",
        "multipart/form-data; boundary=fuzz", "application/octet-stream", "application/jsonx", "application/json-seq", "json", "", ";;;", "*/*",
        "application/json; charset=utf-16", "application/json; charset=utf-32", "application/json; charset=bogus", "application/json; charset=\"",
        "application/json; charset=utf-7",
    ];

    private static readonly string[] HugeStringPieces =
    [
        "a", "Z", "0", " ", "'", "\"", "\\", "<", ">", "&", "%", "\0", "\t", "\n", "é", "中", "\u202e", "😀", "' OR 1=1 --", "<script>", "${jndi:x}",
    ];

    public FuzzRequest Next()
    {
        var number = _next++;
        var operation = operations[number % operations.Count];
        var credential = credentials[_random.Next(credentials.Count)];
        var headers = new List<KeyValuePair<string, string>>();
        if ((credential.Authorization ?? (credential.Name == "none" ? null : GarbageAuthorization())) is { } authorization)
            headers.Add(new("Authorization", authorization));

        var kind = Pick(KindsFor(operation));
        var method = kind == Kind.WrongMethod ? WrongMethod(operation) : operation.Method;
        var target = Target(operation, kind);
        string? contentType = null;
        byte[]? body = null;
        switch (kind)
        {
            case Kind.BadId or Kind.BadQuery or Kind.WrongMethod:
                if (operation.Body is not null && _random.Next(3) > 0)
                    (contentType, body) = ("application/json", Json(Plausible(operation.Body)));
                break;
            case Kind.BadHeader:
                headers.Add(BadHeader());
                // A header alone makes no request malformed: the body is unreadable, but where nothing can succeed anyway.
                if (operation.Body is not null)
                    (contentType, body) = ("application/json", NothingCanSucceed(operation) ? Json(Plausible(operation.Body)) : BodyFor(operation, Kind.WrongType));
                break;
            case Kind.JunkBody:
                (contentType, body) = (_random.Next(2) == 0 ? "application/json" : Pick(BadContentTypes), Unreadable("fuzz"));
                break;
            case Kind.WrongContentType:
                var plausible = Json(Plausible(operation.Body!));
                (contentType, body) = _random.Next(6) == 0 ? (null, plausible) : (Pick(BadContentTypes), plausible);
                break;
            case Kind.EmptyBody:
                (contentType, body) = _random.Next(3) switch
                {
                    0 => ((string?)null, (byte[]?)null),
                    1 => ("application/json", Array.Empty<byte>()),
                    _ => ("application/json", " \r\n\t "u8.ToArray()),
                };
                break;
            default:
                (contentType, body) = ("application/json", BodyFor(operation, kind));
                break;
        }
        return new FuzzRequest(number, operation.Name, kind.ToString(), credential.Name, method, target, headers, contentType, body);
    }

    private enum Kind
    {
        BadId,
        BadQuery,
        UnreadableBody,
        WrongShape,
        WrongType,
        EdgeValue,
        HugeString,
        HugeArray,
        UnknownMember,
        DeepNesting,
        WrongContentType,
        EmptyBody,
        Oversized,
        WrongMethod,
        BadHeader,
        JunkBody,
    }

    private static List<(Kind Kind, double Weight)> KindsFor(FuzzOperation operation)
    {
        var kinds = new List<(Kind, double)> { (Kind.WrongMethod, 0.3), (Kind.BadHeader, 0.5) };
        if (operation.PathParameters.Count > 0)
            kinds.Add((Kind.BadId, 1));
        if (operation.QueryParameters.Count > 0)
            kinds.Add((Kind.BadQuery, 2));
        if (operation.Body is null)
        {
            kinds.Add((Kind.JunkBody, 1));
            return kinds;
        }
        kinds.AddRange([(Kind.UnreadableBody, 1), (Kind.WrongShape, 0.5), (Kind.WrongType, 1.5), (Kind.EdgeValue, 1.5), (Kind.UnknownMember, 1),
            (Kind.DeepNesting, 0.3), (Kind.WrongContentType, 0.7), (Kind.EmptyBody, 0.3), (Kind.Oversized, 0.04)]);
        if (Slots(operation.Body).Any(s => s.Shape is StringShape))
            kinds.Add((Kind.HugeString, 0.5));
        if (Slots(operation.Body).Any(s => s.Shape is ArrayShape))
            kinds.Add((Kind.HugeArray, 0.3));
        return kinds;
    }

    /// <summary>The path with a bad id in each parameter, and bad query parameters (junk ones when none are declared).</summary>
    private string Target(FuzzOperation operation, Kind kind)
    {
        var path = operation.Path;
        foreach (var parameter in operation.PathParameters)
            path = path.Replace($"{{{parameter}}}", BadId(), StringComparison.Ordinal);
        var query = new List<string>();
        if (operation.QueryParameters.Count > 0)
        {
            // Always one bad declared parameter at least: a request that leaves them out may be a valid one (an export).
            var chosen = operation.QueryParameters.Where(_ => _random.Next(2) == 0).ToList();
            if (chosen.Count == 0)
                chosen.Add(Pick(operation.QueryParameters));
            foreach (var name in chosen)
            {
                var spelled = _random.Next(4) == 0 ? name.ToUpperInvariant() : name;
                query.Add($"{spelled}={Pick(BadQueryValues)}");
                if (_random.Next(8) == 0)
                    query.Add($"{spelled}={Pick(BadQueryValues)}"); // the parameter twice
            }
        }
        else if (kind is Kind.BadQuery or Kind.JunkBody || _random.Next(6) == 0)
        {
            for (var i = _random.Next(1, 4); i > 0; i--)
                query.Add(Pick(new[] { $"page={Pick(BadQueryValues)}", $"pageSize={Pick(BadQueryValues)}", $"%00={Pick(BadQueryValues)}", "a[]=1", "=x", "&&", $"{Pick(BadQueryValues)}" }));
        }
        return query.Count == 0 ? path : $"{path}?{string.Join('&', query)}";
    }

    private string BadId() => _random.Next(5) == 0 ? RandomGuid().ToString(_random.Next(2) == 0 ? "D" : "N") : Pick(BadIds);

    /// <summary>A GUID no record has, from the seeded Random so a run can be repeated.</summary>
    private Guid RandomGuid() => new(Bytes(16));

    private string WrongMethod(FuzzOperation operation) =>
        Pick(new[] { "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FUZZ" }.Where(m => !operation.PathMethods.Contains(m)).ToList());

    /// <summary>An Authorization header that names no valid credential.</summary>
    public string GarbageAuthorization() => _random.Next(14) switch
    {
        0 => "Bearer garbage",
        1 => $"Bearer ctp_{Convert.ToBase64String(Bytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=')}",
        2 => "Bearer ctp_",
        3 => "Bearer",
        4 => "Bearer    ",
        5 => "Basic dXNlcjpwYXNzd29yZA==",
        6 => $"bearer ctp_{new string('A', 43)}",
        7 => $"Bearer {new string('A', 10_000)}",
        8 => "Bearer ' OR 1=1 --",
        9 => "Bearer ctp_%00",
        10 => "Token abc",
        11 => "Bearer a b c",
        12 => "Bearer ctp_ünïcødé",
        _ => $"Bearer {Convert.ToHexString(Bytes(40))}",
    };

    private KeyValuePair<string, string> BadHeader() => _random.Next(16) switch
    {
        0 => new("Idempotency-Key", new string('k', 5_000)),
        1 => new("Idempotency-Key", ""),
        2 => new("Idempotency-Key", $"fuzz-{_random.Next()}"),
        3 => new("Idempotency-Key", "ünïcødé ' OR 1=1 --"),
        4 => new("If-Match", "\"99999999999999999999\""),
        5 => new("If-Match", "*"),
        6 => new("If-Match", "W/\"-1\""),
        7 => new("If-Match", "' OR 1=1 --"),
        8 => new("Accept", "application/xml"),
        9 => new("Accept", "*/*;q=fuzz"),
        10 => new("X-Forwarded-For", "' OR 1=1 --, 999.999.999.999, ::ffff:1.2.3.4"),
        11 => new("X-Forwarded-Proto", "gopher"),
        12 => new("X-Forwarded-Host", "evil.example"),
        13 => new("Cookie", ".AspNetCore.Cookies=garbage; .AspNetCore.Antiforgery.fuzz=garbage"),
        14 => new("Content-Encoding", "gzip"),
        _ => new("Origin", "https://evil.example"),
    };

    private byte[] BodyFor(FuzzOperation operation, Kind kind)
    {
        var shape = operation.Body!;
        var first = shape is ObjectShape { Properties.Count: > 0 } o ? o.Properties[0].Key : "fuzz";
        switch (kind)
        {
            case Kind.UnreadableBody:
                return Unreadable(first);
            case Kind.WrongShape:
                return Encoding.UTF8.GetBytes(Pick(new[] { "[]", "null", "\"fuzz\"", "42", "true", "-1", "[{}]", "[null]", "[{}, {}]" }));
            case Kind.DeepNesting:
                var deep = _random.Next(3) switch
                {
                    0 => new string('[', DeepNesting) + new string(']', DeepNesting),
                    1 => string.Concat(Enumerable.Repeat("{\"a\":", DeepNesting)) + "1" + new string('}', DeepNesting),
                    _ => new string('[', DeepNesting),
                };
                return _random.Next(2) == 0 || shape is not ObjectShape ? Encoding.UTF8.GetBytes(deep) : Json(Replace(operation, RandomSlot(shape), RawMarker, mustRefuse: true), deep);
            case Kind.UnknownMember:
                // In the body itself or in an object inside it, never in a dictionary (riskAnswers), where any key is a member.
                var withUnknown = Plausible(shape);
                var records = Slots(shape).Where(s => s.Shape is ObjectShape { Properties.Count: > 0 }).Select(s => s.Steps).ToList();
                if (shape is ObjectShape { Properties.Count: > 0 })
                    records.Add([]);
                if (records.Count == 0)
                    return Encoding.UTF8.GetBytes($"{{\"{UnknownMember}\":1}}");
                var target = (JsonObject)Pick(records).Aggregate(withUnknown!, (node, step) => step is string name ? node[name]! : node[(int)step]!);
                target[Pick(UnknownNames)] = _random.Next(2) == 0 ? 1 : Pick(EdgeStrings);
                return Json(withUnknown);
            case Kind.Oversized:
                var padded = Plausible(shape);
                if (padded is JsonObject root)
                {
                    root[UnknownMember] = new string('x', OversizedBytes);
                    return Json(padded);
                }
                return Encoding.UTF8.GetBytes($"[\"{new string('x', OversizedBytes)}\"]");
            case Kind.WrongType:
                var slot = RandomSlot(shape);
                return Json(Replace(operation, slot, WrongTypeFor(slot.Shape), mustRefuse: false));
            case Kind.HugeString:
                var stringSlot = Pick(Slots(shape).Where(s => s.Shape is StringShape).ToList());
                return Json(Replace(operation, stringSlot, HugeString(), mustRefuse: true));
            case Kind.HugeArray:
                var arraySlot = Pick(Slots(shape).Where(s => s.Shape is ArrayShape).ToList());
                var items = ((ArrayShape)arraySlot.Shape).Items;
                var huge = new JsonArray();
                for (var i = 0; i < HugeArrayLength; i++)
                    huge.Add(Plausible(items, MemberOf(arraySlot)));
                return Json(Replace(operation, arraySlot, huge, mustRefuse: true));
            default:
                var edgeSlot = RandomSlot(shape);
                var (value, raw) = EdgeValueFor(edgeSlot.Shape, MemberOf(edgeSlot));
                return raw is null
                    ? Json(Replace(operation, edgeSlot, value, mustRefuse: true))
                    : Json(Replace(operation, edgeSlot, RawMarker, mustRefuse: true), raw);
        }
    }

    /// <summary>Text no JSON reader accepts: broken syntax, literals JSON lacks, bytes that are not UTF-8, other encodings.</summary>
    private byte[] Unreadable(string member)
    {
        string[] texts =
        [
            "{", "}", "[", "]", "{\"", $"{{\"{member}\"", $"{{\"{member}\":", $"{{\"{member}\":}}", $"{{\"{member}\":1,}}", "{,}", $"{{'{member}':1}}",
            $"{{{member}:1}}", $"{{\"{member}\":\"x\"}} trailing", "{}{}", "/* comment */ {}", $"{{\"{member}\":NaN}}", $"{{\"{member}\":-Infinity}}",
            $"{{\"{member}\":01}}", $"{{\"{member}\":1.}}", $"{{\"{member}\":.5}}", $"{{\"{member}\":+1}}", $"{{\"{member}\":\"\\x41\"}}",
            $"{{\"{member}\":\"\\u12\"}}", $"{{\"{member}\":\"\\ud800\"}}", $"{{\"{member}\":\"\\udc00\\ud800\"}}", $"{{\"{member}\":\"a\tb\"}}",
            $"{{\"{member}\":\"a\nb\"}}", "\"unterminated", "nul", "tru", "\0", $"{{\"{member}\":\"\0\"", "{\"\\ud800\":1}",
        ];
        byte[][] bytes =
        [
            [0xFF, 0xFE], [0xEF, 0xBB, 0xBF, (byte)'{'], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80], [0x00],
            [0xFE, 0xFF, 0x00, (byte)'{', 0x00, (byte)'}'], [(byte)'{', 0x00, (byte)'"', 0x00],
            [.. Encoding.UTF8.GetBytes($"{{\"{member}\":\""), 0xFF, 0xFE, .. "\"}"u8],
            [.. Encoding.UTF8.GetBytes($"{{\"{member}\":\""), 0xE2, 0x82, .. "\"}"u8],
            [.. Encoding.UTF8.GetBytes($"{{\"{member}\":\""), 0xC0, 0x80, .. "\"}"u8],
        ];
        return _random.Next(texts.Length + bytes.Length) is var i && i < texts.Length ? Encoding.UTF8.GetBytes(texts[i]) : bytes[i - texts.Length];
    }

    /// <summary>
    /// The body with <paramref name="value"/> at <paramref name="slot"/>. A value of the wrong type makes any body unreadable;
    /// one of the right type that <paramref name="mustRefuse"/> goes where nothing can succeed, or alone in a body the rules
    /// refuse for a needed member it lacks, or before an unknown member.
    /// </summary>
    private static JsonNode? Replace(FuzzOperation operation, Slot slot, JsonNode? value, bool mustRefuse)
    {
        var body = Plausible(operation.Body!);
        body = Set(body, slot.Steps, value);
        if (!mustRefuse || NothingCanSucceed(operation) || body is not JsonObject root)
            return body;
        var member = slot.Steps.Count > 0 ? slot.Steps[0] as string : null;
        if (member is not null && NeededMembers.TryGetValue(operation.Name, out var needed) && needed.Any(n => n != member))
        {
            var alone = root[member];
            root.Remove(member);
            return new JsonObject { [member] = alone };
        }
        root[UnknownMember] = true;
        return root;
    }

    private static JsonNode? Set(JsonNode? node, IReadOnlyList<object> steps, JsonNode? value)
    {
        if (steps.Count == 0)
            return value;
        var parent = node!;
        for (var i = 0; i < steps.Count - 1; i++)
            parent = steps[i] is string name ? parent[name]! : parent[(int)steps[i]]!;
        if (steps[^1] is string last)
            parent[last] = value;
        else
            parent[(int)steps[^1]] = value;
        return node;
    }

    private sealed record Slot(IReadOnlyList<object> Steps, Shape Shape);

    /// <summary>Every place in a plausible body, with the shape of what belongs there: members, first items, dictionary values.</summary>
    private static IEnumerable<Slot> Slots(Shape shape, ImmutableSteps? steps = null)
    {
        steps ??= new ImmutableSteps([]);
        switch (shape)
        {
            case ObjectShape o:
                foreach (var (name, member) in o.Properties)
                {
                    var path = steps.Add(name);
                    yield return new Slot(path.Steps, member);
                    foreach (var inner in Slots(member, path))
                        yield return inner;
                }
                if (o.Properties.Count == 0 && o.Additional is not null)
                {
                    var path = steps.Add("fuzz");
                    yield return new Slot(path.Steps, o.Additional);
                }
                break;
            case ArrayShape a:
                var item = steps.Add(0);
                yield return new Slot(item.Steps, a.Items);
                foreach (var inner in Slots(a.Items, item))
                    yield return inner;
                break;
            default:
                break;
        }
    }

    private sealed record ImmutableSteps(IReadOnlyList<object> Steps)
    {
        public ImmutableSteps Add(object step) => new([.. Steps, step]);
    }

    private Slot RandomSlot(Shape shape)
    {
        var slots = Slots(shape).ToList();
        return slots.Count == 0 ? new Slot([], shape) : Pick(slots);
    }

    /// <summary>A body of the right shape with ordinary values: the base every mutation starts from.</summary>
    /// <remarks>Strings look like what their member holds, so a body gets past the first checks (a sign-in to its password lookup).</remarks>
    private static JsonNode? Plausible(Shape shape, string? member = null) => shape switch
    {
        StringShape { Format: "date-time" } => "2030-01-01T10:00:00Z",
        StringShape { Format: "uuid" } => "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        StringShape => member is not null && PlausibleStrings.TryGetValue(member, out var text) ? text : "fuzz",
        NumberShape => 24,
        BooleanShape => false,
        EnumShape e => e.Values.Count > 0 ? e.Values[0] : "fuzz",
        ArrayShape a => new JsonArray(Plausible(a.Items, member)),
        ObjectShape o when o.Properties.Count == 0 && o.Additional is not null => new JsonObject { ["fuzz"] = Plausible(o.Additional) },
        ObjectShape o => new JsonObject(o.Properties.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, Plausible(p.Value, p.Key)))),
        _ => "fuzz",
    };

    private static readonly Dictionary<string, string> PlausibleStrings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = "fuzz@example.test",
        ["authorEmail"] = "fuzz@example.test",
        ["displayName"] = "Fuzz",
        ["password"] = "a fuzzed long password",
        ["newPassword"] = "another fuzzed long password",
        ["setupCode"] = "fuzzed-setup-code",
        ["scopes"] = Scopes.ChangesRead,
        ["repository"] = "https://git.example.test/fuzz",
        ["links"] = "https://git.example.test/fuzz/pull/1",
        ["sha"] = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0",
        ["implementer"] = "fuzz@example.test",
    };

    /// <summary>The member a slot is in: its last name, an array's for its items.</summary>
    private static string? MemberOf(Slot slot) => slot.Steps.OfType<string>().LastOrDefault();

    /// <summary>A value no reader can take for this shape: string↔number↔bool↔object↔array, a number for an enum, null for a value type.</summary>
    private JsonNode? WrongTypeFor(Shape shape)
    {
        var candidates = new List<Func<JsonNode?>> { () => 42, () => true, () => new JsonObject(), () => new JsonArray(), () => 1.5 };
        switch (shape)
        {
            case StringShape { Format: null }:
                break;
            case StringShape:
                candidates.Add(() => "not a valid value");
                break;
            case NumberShape n:
                candidates.RemoveAt(4);
                candidates.RemoveAt(0);
                candidates.Add(() => "not a number");
                if (n.Integer)
                    candidates.AddRange([() => 1.5, () => 1e300]);
                break;
            case BooleanShape:
                candidates.RemoveAt(1);
                candidates.Add(() => "true");
                candidates.Add(() => 1);
                break;
            case EnumShape:
                candidates.Add(() => 0);
                candidates.Add(() => "NoSuchValue");
                break;
            case ArrayShape:
                candidates.RemoveAt(3);
                candidates.Add(() => "fuzz");
                break;
            case ObjectShape:
                candidates.RemoveAt(2);
                candidates.Add(() => "fuzz");
                break;
            default:
                break;
        }
        if (!shape.Nullable && shape is NumberShape or BooleanShape or EnumShape)
            candidates.Add(() => null);
        return Pick(candidates)();
    }

    /// <summary>A value of the right type but extreme; or raw JSON text for one no writer makes (a lone surrogate).</summary>
    private (JsonNode? Value, string? Raw) EdgeValueFor(Shape shape, string? member)
    {
        switch (shape)
        {
            case StringShape { Format: "date-time" } when _random.Next(3) > 0:
                return (Pick(EdgeDates), null);
            case StringShape { Format: "uuid" } when _random.Next(3) > 0:
                var id = RandomGuid();
                return (Pick(new[] { Guid.Empty.ToString(), id.ToString("N"), id.ToString("B"), id.ToString("P"), id.ToString().ToUpperInvariant() }), null);
            case StringShape:
                return _random.Next(12) == 0 ? (null, "\"\\ud800 lone surrogate\"") : (Pick(EdgeStrings), null);
            case NumberShape n:
                var number = Pick(EdgeNumbers);
                return n.AcceptsString && _random.Next(3) == 0 ? (number + " ", null) : (null, number);
            case EnumShape e:
                var a = e.Values.Count > 0 ? Pick(e.Values) : "fuzz";
                var b = e.Values.Count > 0 ? Pick(e.Values) : "fuzz";
                return (Pick(new[] { $"{a}, {b}", $"{a},{b}", $"{a}|{b}", "", " ", $" {a}", $"{a}\0", "1", "-1", "99", $"{a}s", $"Ｎ{a}", Pick(EdgeStrings) }), null);
            case ArrayShape arr:
                return _random.Next(3) switch
                {
                    0 => (new JsonArray(null, null), null),
                    1 => (new JsonArray(Plausible(arr.Items, member), null, Plausible(arr.Items, member)), null),
                    _ => (new JsonArray(), null),
                };
            case ObjectShape { Additional: not null } dictionary:
                return (new JsonObject
                {
                    [Pick(new[] { "", " ", "\0", "' OR 1=1 --", new string('k', 5_000), "😀", "__proto__" })] = Plausible(dictionary.Additional),
                }, null);
            case ObjectShape:
                return (new JsonObject(), null);
            case BooleanShape:
                return (null, Pick(new[] { "\"true\"", "1", "0", "True", "\"yes\"" }));
            default:
                return (Pick(EdgeStrings), null);
        }
    }

    private string HugeString()
    {
        var text = new StringBuilder(HugeStringLength + 16);
        if (_random.Next(3) == 0)
            return new string(Pick(new[] { 'A', '9', 'é', ' ' }), HugeStringLength);
        while (text.Length < HugeStringLength)
            text.Append(Pick(HugeStringPieces));
        return text.ToString();
    }

    private static byte[] Json(JsonNode? node, string? raw = null)
    {
        var text = node is null ? "null" : node.ToJsonString(Relaxed);
        if (raw is not null)
            text = text.Replace($"\"{RawMarker}\"", raw, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text);
    }

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private Kind Pick(List<(Kind Kind, double Weight)> kinds)
    {
        var roll = _random.NextDouble() * kinds.Sum(k => k.Weight);
        foreach (var (kind, weight) in kinds)
        {
            if ((roll -= weight) < 0)
                return kind;
        }
        return kinds[^1].Kind;
    }

    private static string Esc(string text) => Uri.EscapeDataString(text);
}
