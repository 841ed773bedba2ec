using System.Text.Json;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Http;

/// <summary>
/// A server answer reduced to what a command needs: the exit code it implies and the body. A failure has
/// already been reported on stderr by <see cref="ServerClient"/>; the command just returns its exit code.
/// </summary>
internal sealed record ApiResponse(int ExitCode, string Body)
{
    public bool IsSuccess => ExitCode == ExitCodes.Success;

    /// <summary>The body as one of the Contracts records, read with the API's own JSON conventions.</summary>
    public T Read<T>() => JsonSerializer.Deserialize<T>(Body, ApiJson.Options)
        ?? throw new JsonException($"The server answered with an empty {typeof(T).Name}.");
}
