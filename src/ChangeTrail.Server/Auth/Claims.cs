using System.Security.Claims;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Server.Auth;

/// <summary>The claims an authenticated identity carries, and the <see cref="Actor"/> the domain rules see.</summary>
public static class ChangeTrailClaims
{
    public const string UserId = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string Role = "role";
    public const string Scope = "scope";
    public const string ServiceAccount = "svc";
    public const string TokenId = "token_id";

    /// <summary>A web session's id, given at sign-in and named by its ledger entries and by the decisions taken in it.</summary>
    public const string SessionId = "sid";

    /// <summary>
    /// "true" when the credential is the person's own, made by proving who they are: a token they issued themself
    /// with their password or from their own page, or their web session once they chose their own password.
    /// Personal scopes (<see cref="Scopes.Personal"/>) count only then.
    /// </summary>
    public const string Personal = "personal";

    public static Guid UserIdOf(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(UserId) ?? throw new InvalidOperationException("The principal has no user id."));

    public static IReadOnlySet<string> ScopesOf(this ClaimsPrincipal principal) =>
        principal.FindAll(Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);

    public static bool HasScope(this ClaimsPrincipal principal, string scope) => Scopes.Covers(principal.ScopesOf(), scope);

    public static Actor ToActor(this ClaimsPrincipal principal) => new(
        principal.UserIdOf(),
        principal.FindFirstValue(Email) ?? "",
        principal.FindFirstValue(ServiceAccount) == "true",
        principal.FindAll(Role).Select(c => Enum.Parse<Role>(c.Value)).ToHashSet(),
        principal.CredentialOf());

    /// <summary>The credential the request came with, as decisions record it; null for an anonymous request.</summary>
    public static string? CredentialOf(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenId) is { } token ? Credentials.Token(Guid.Parse(token))
        : principal.FindFirstValue(SessionId) is { } session ? Credentials.Session(session)
        : null;

    /// <summary>The API token the request came with, if it came with one.</summary>
    public static Guid? TokenIdOf(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenId) is { } token ? Guid.Parse(token) : null;

    public static bool IsPersonalCredential(this ClaimsPrincipal principal) => principal.FindFirstValue(Personal) == "true";
}
