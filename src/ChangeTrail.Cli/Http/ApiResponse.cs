using System.Net;
using System.Text.Json;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Http;

/// <summary>
/// A server answer reduced to what a command needs: the exit code it implies and the body. A failure has
/// already been reported on stderr by <see cref="ServerClient"/>, unless the caller said it handles it; the command just
/// returns its exit code.
/// </summary>
/// <param name="Status">The HTTP status, or null when the server could not be reached.</param>
/// <param name="ProblemType">A refusal's problem type, its last segment (<c>password-change-required</c>), if it had one.</param>
internal sealed record ApiResponse(int ExitCode, string Body, HttpStatusCode? Status = null, string? ProblemType = null)
{
    public bool IsSuccess => ExitCode == ExitCodes.Success;

    /// <summary>The body as one of the Contracts records, read with the API's own JSON conventions.</summary>
    public T Read<T>() => JsonSerializer.Deserialize<T>(Body, ApiJson.Options)
        ?? throw new JsonException($"The server answered with an empty {typeof(T).Name}.");
}
