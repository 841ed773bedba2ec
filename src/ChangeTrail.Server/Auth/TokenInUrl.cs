using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Server.Auth;

/// <summary>
/// Marks an endpoint that also takes its API token from the URL (<c>?token=</c>): the calendar feed, which calendar
/// applications subscribe to by URL and cannot send a header to. A URL is kept in logs, proxies and browser histories, so a
/// token sent there may read changes and nothing more: one with any other scope is refused, even where the header would
/// have been accepted.
/// </summary>
public sealed class TokenInUrl
{
    public const string Parameter = "token";

    /// <summary>The scopes a token in a URL may have: reading changes, nothing that writes or reaches further.</summary>
    public static readonly IReadOnlySet<string> AllowedScopes = new HashSet<string>(StringComparer.Ordinal) { Scopes.ChangesRead };

    internal static bool IsAllowedFor(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<TokenInUrl>() is not null;

    internal static bool MayCarry(IEnumerable<string> scopes) => scopes.All(AllowedScopes.Contains);
}

public static class TokenInUrlEndpoints
{
    /// <summary>Lets <paramref name="builder"/>'s endpoints take a read-only token from the URL; see <see cref="TokenInUrl"/>.</summary>
    public static TBuilder AllowTokenInUrl<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new TokenInUrl());
}
