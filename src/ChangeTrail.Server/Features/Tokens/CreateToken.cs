using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Tokens;

public sealed record ScopeEscalationForbidden(IReadOnlyList<string> Scopes)
    : DomainError(ErrorKind.Forbidden, "scope-escalation-forbidden", "Cannot grant scopes you do not hold",
        $"Your own token lacks {string.Join(", ", Scopes)}; a token you create for yourself can only narrow what you hold.");

/// <summary>
/// POST /users/{id}/tokens (an admin, or the user for themself) and POST /service-accounts/{id}/tokens (an admin).
/// The secret is in the response once; only its hash is kept.
/// </summary>
public static class CreateToken
{
    public static void MapForUsers(RouteGroupBuilder users) =>
        users.MapPost("/{id:guid}/tokens", (Guid id, CreateTokenRequest body, ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock,
                CancellationToken ct) => HandleAsync(id, serviceAccount: false, body, user, db, clock, ct))
            .RequireAuthorization().WithName("CreateUserToken").WithSummary("Create an API token for a user");

    public static void MapForServiceAccounts(RouteGroupBuilder serviceAccounts) =>
        serviceAccounts.MapPost("/{id:guid}/tokens", (Guid id, CreateTokenRequest body, ClaimsPrincipal user, ChangeTrailDbContext db,
                Clock clock, CancellationToken ct) => HandleAsync(id, serviceAccount: true, body, user, db, clock, ct))
            .RequireAccess(Scopes.Admin, Role.Admin).WithName("CreateServiceAccountToken").WithSummary("Create an API token for a service account");

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> HandleAsync(Guid ownerId, bool serviceAccount,
        CreateTokenRequest body, ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(ownerId, serviceAccount, body, user, db, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/tokens/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedTokenResponse>> ExecuteAsync(Guid ownerId, bool serviceAccount, CreateTokenRequest body,
        ClaimsPrincipal caller, ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var isAdmin = caller.IsInRole(nameof(Role.Admin)) && caller.HasScope(Scopes.Admin);
        if (!isAdmin && caller.UserIdOf() != ownerId)
            return new RoleRequired("create tokens for someone else", [nameof(Role.Admin)]);

        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == ownerId && u.IsServiceAccount == serviceAccount, cancellationToken);
        if (owner is null)
            return new RecordNotFound(serviceAccount ? $"Service account {ownerId}" : $"User {ownerId}");
        if (!owner.IsActive)
            return ValidationFailed.For("id", "This identity is deactivated.");

        var scopes = body.Scopes ?? [];
        var now = clock.UtcNow;
        var valid = TokenIssuer.Validate(body.Name, scopes, body.ExpiresAt, serviceAccount, now);
        if (!valid.IsSuccess)
            return valid.Error!;
        if (!isAdmin)
        {
            var held = caller.ScopesOf();
            var missing = scopes.Where(s => !Scopes.Covers(held, s)).ToList();
            if (missing.Count > 0)
                return new ScopeEscalationForbidden(missing);
        }

        var (token, secret) = TokenIssuer.Issue(db, ownerId, body.Name, scopes, body.ExpiresAt, caller.UserIdOf(), now);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedTokenResponse(token.Id, secret, token.Name, token.Scopes, token.ExpiresAt);
    }
}
