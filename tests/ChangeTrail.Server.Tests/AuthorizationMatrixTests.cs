using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The authorization matrix is data (issue 9): every operation of the running server's /openapi/v1.json, called as
/// every caller of <see cref="AuthorizationWalk"/>, answers as authorization-matrix.json says, and the file lists
/// exactly the document's operations.
/// </summary>
public abstract class AuthorizationMatrixTests(ChangeTrailApp app) : ProviderTests(app)
{
    private const string File = AuthorizationMatrix.RelativePath;

    private readonly AuthorizationMatrix _matrix = AuthorizationMatrix.Load();

    private sealed record OpenApiOperation(string Key, string OperationId, string? Tag);

    [Fact]
    public async Task The_matrix_lists_exactly_the_operations_of_the_OpenAPI_document_by_route_operationId_and_area()
    {
        var operations = await OpenApiOperationsAsync();

        var wrong = operations.Where(o => _matrix.Find(o.Key) is null)
            .Select(o => $"{o.Key} ({o.OperationId}) is in /openapi/v1.json but not in {File}: say who may call it.")
            .Concat(_matrix.Operations.Where(m => operations.All(o => o.Key != m.Operation))
                .Select(m => $"{m.Operation} ({m.OperationId}) is in {File} but the server has no such operation: remove it, or correct its route."))
            .Concat(operations.Select(o => (Document: o, File: _matrix.Find(o.Key))).Where(p => p.File is not null)
                .Where(p => p.File!.OperationId != p.Document.OperationId || p.File.Area != p.Document.Tag)
                .Select(p => $"{p.Document.Key}: the document calls it {p.Document.OperationId} in \"{p.Document.Tag}\", {File} {p.File!.OperationId} in \"{p.File.Area}\"."))
            .ToList();

        wrong.ShouldBeEmpty(string.Join("\n", wrong));
    }

    [Fact]
    public async Task Every_operation_answers_every_caller_as_the_matrix_says()
    {
        var clock = Stopwatch.StartNew();
        var operations = await OpenApiOperationsAsync();
        var walk = await AuthorizationWalk.PrepareAsync(S, _matrix);
        var prepared = clock.Elapsed;
        var failures = new ConcurrentBag<string>();
        var calls = 0;

        async Task CallAsync(MatrixOperation operation, AuthorizationWalk.Caller caller, string expected)
        {
            Interlocked.Increment(ref calls);
            using var request = await walk.RequestAsync(operation);
            using var response = await caller.Client.Http.SendAsync(request, Ct);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(Ct);
            var type = ProblemType(response, body);
            walk.Answered(operation, status);
            if (Mismatch(operation, expected, status, type) is { } why)
            {
                failures.Add($"{operation.Operation} ({operation.OperationId}) as {caller.Name}: expected {Describe(expected)}, " +
                    $"got {status}{(type is null ? "" : $" {type}")}{why}: {Shorten(body)}");
            }
        }

        foreach (var operation in operations.Select(o => _matrix.Find(o.Key)).OfType<MatrixOperation>())
        {
            var callers = walk.CallersFor(operation).Select(c => (Caller: c, Expected: _matrix.Expected(operation, c.Model))).ToList();
            // The calls to be refused change nothing, so they go together; the allowed ones one by one, in order, since
            // some change what the next one finds (an approval uses its change up).
            await Parallel.ForEachAsync(callers.Where(c => c.Expected != Outcomes.Allowed),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct },
                async (c, _) => await CallAsync(operation, c.Caller, c.Expected));
            foreach (var (caller, expected) in callers.Where(c => c.Expected == Outcomes.Allowed))
                await CallAsync(operation, caller, expected);
        }
        TestContext.Current.SendDiagnosticMessage(
            $"{App.Provider}: prepared the callers in {prepared.TotalSeconds:0.0} s, walked {calls} calls in {(clock.Elapsed - prepared).TotalSeconds:0.0} s");

        if (!failures.IsEmpty)
            Assert.Fail($"{failures.Count} of {calls} calls did not answer as {File} says:\n{string.Join("\n", failures.Order(StringComparer.Ordinal))}");
    }

    /// <summary>Why the answer is not the expected one; null when it is.</summary>
    private string? Mismatch(MatrixOperation operation, string expected, int status, string? type)
    {
        if (status >= 500)
            return " (a server error)";
        if (expected != Outcomes.Allowed)
            return status == Outcomes.StatusOf(expected) && type == expected ? null : "";
        if (status == 401 || (status == 403 && type is not null && Outcomes.Refusals.Contains(type)))
            return "";
        if (status == 403 && !_matrix.AfterAuthorization.Contains(type ?? ""))
            return $" (a 403 the matrix does not know: a refusal of authorization, or a rule about the record to add to afterAuthorization in {File})";
        return status == 404 && operation.EveryRefusal == Outcomes.NotFound ? " (which is how this operation refuses)" : null;
    }

    private static string Describe(string outcome) =>
        outcome == Outcomes.Allowed ? "it to pass authorization" : $"{Outcomes.StatusOf(outcome)} {outcome}";

    private static string? ProblemType(HttpResponseMessage response, string body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return null;
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("type", out var type) ? type.GetString()?.Replace("/problems/", "", StringComparison.Ordinal) : null;
    }

    private static string Shorten(string text)
    {
        var line = string.Join(' ', text.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    private async Task<List<OpenApiOperation>> OpenApiOperationsAsync()
    {
        using var document = JsonDocument.Parse(await App.Anonymous().Http.GetStringAsync("/openapi/v1.json", Ct));
        var operations = new List<OpenApiOperation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => m.Name is "get" or "post" or "put" or "patch" or "delete"))
            {
                var tag = method.Value.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0 ? tags[0].GetString() : null;
                operations.Add(new OpenApiOperation($"{method.Name.ToUpperInvariant()} {path.Name}",
                    method.Value.TryGetProperty("operationId", out var id) ? id.GetString() ?? "" : "", tag));
            }
        }
        return operations;
    }
}

public sealed class AuthorizationMatrixTests_Sqlite(SqliteApp app) : AuthorizationMatrixTests(app), IClassFixture<SqliteApp>;

public sealed class AuthorizationMatrixTests_Postgres(PostgresApp app) : AuthorizationMatrixTests(app), IClassFixture<PostgresApp>;
