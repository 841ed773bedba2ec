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

    public static Guid UserIdOf(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(UserId) ?? throw new InvalidOperationException("The principal has no user id."));

    public static IReadOnlySet<string> ScopesOf(this ClaimsPrincipal principal) =>
        principal.FindAll(Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);

    public static bool HasScope(this ClaimsPrincipal principal, string scope) => Scopes.Covers(principal.ScopesOf(), scope);

    public static Actor ToActor(this ClaimsPrincipal principal) => new(
        principal.UserIdOf(),
        principal.FindFirstValue(Email) ?? "",
        principal.FindFirstValue(ServiceAccount) == "true",
        principal.FindAll(Role).Select(c => Enum.Parse<Role>(c.Value)).ToHashSet());
}
