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
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Tokens;

public sealed record ScopeEscalationForbidden(IReadOnlyList<string> Scopes)
    : DomainError(ErrorKind.Forbidden, "scope-escalation-forbidden", "Cannot grant scopes you do not hold",
        $"Your own token lacks {string.Join(", ", Scopes)}; a token you create for yourself can only narrow what you hold.");

/// <summary>
/// POST /users/{id}/tokens (an admin, or the user for themself) and POST /service-accounts/{id}/tokens (an admin), and
/// the token forms of the web UI. The secret is in the response once; only its hash is kept. A personal scope
/// (<c>changes:approve</c>) is granted only to a person creating a token for themself from their own web session; over
/// the API the one way to such a token is <c>POST /auth/tokens</c> with the password (<see cref="SignIn.IssuePersonalToken"/>).
/// </summary>
public static class CreateToken
{
    public static void MapForUsers(RouteGroupBuilder users) =>
        users.MapPost("/{id:guid}/tokens", (Guid id, CreateTokenRequest body, ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock,
                IOptions<ChangeTrailOptions> options, CancellationToken ct) => HandleAsync(id, serviceAccount: false, body, user, db, clock, options, ct))
            .RequireAuthorization().RequireRateLimiting(RateLimits.Tokens).WithName("CreateUserToken").WithSummary("Create an API token for a user");

    public static void MapForServiceAccounts(RouteGroupBuilder serviceAccounts) =>
        serviceAccounts.MapPost("/{id:guid}/tokens", (Guid id, CreateTokenRequest body, ClaimsPrincipal user, ChangeTrailDbContext db,
                Clock clock, IOptions<ChangeTrailOptions> options, CancellationToken ct) =>
                HandleAsync(id, serviceAccount: true, body, user, db, clock, options, ct))
            .RequireAccess(Scopes.Admin, Role.Admin).RequireRateLimiting(RateLimits.Tokens).WithName("CreateServiceAccountToken")
            .WithSummary("Create an API token for a service account");

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> HandleAsync(Guid ownerId, bool serviceAccount,
        CreateTokenRequest body, ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock, IOptions<ChangeTrailOptions> options,
        CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(ownerId, serviceAccount, body, user, db, clock, options.Value.Tokens, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/tokens/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedTokenResponse>> ExecuteAsync(Guid ownerId, bool serviceAccount, CreateTokenRequest body,
        ClaimsPrincipal caller, ChangeTrailDbContext db, Clock clock, ApiTokenOptions tokens, CancellationToken cancellationToken)
    {
        var callerId = caller.UserIdOf();
        var isAdmin = caller.IsInRole(nameof(Role.Admin)) && caller.HasScope(Scopes.Admin);
        if (!isAdmin && callerId != ownerId)
            return new RoleRequired("create tokens for someone else", [nameof(Role.Admin)]);

        var owner = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == ownerId && u.IsServiceAccount == serviceAccount, cancellationToken);
        if (owner is null)
            return new RecordNotFound(serviceAccount ? $"Service account {ownerId}" : $"User {ownerId}");
        if (!owner.IsActive)
            return ValidationFailed.For("id", "This identity is deactivated.");

        var scopes = body.Scopes ?? [];
        var now = clock.UtcNow;
        var makerToken = caller.TokenIdOf();
        var makerExpiry = makerToken is { } tokenId
            ? (await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == tokenId, cancellationToken)).ExpiryUnder(tokens.MaxLifetime)
            : (DateTime?)null;
        var expiry = TokenIssuer.Validate(body.Name, scopes, body.ExpiresAt, serviceAccount, TokenIssuer.LatestExpiry(now, tokens.MaxLifetime, makerExpiry), now);
        if (!expiry.IsSuccess)
            return expiry.Error!;

        // Approvals are personal: only the owner, in their own web session (they proved who they are to open it), may
        // give a token a personal scope. An Admin cannot, and neither can a token (it might not be in its owner's hands).
        var personal = callerId == ownerId && makerToken is null && caller.IsPersonalCredential();
        var notDelegable = scopes.Where(Scopes.IsPersonal).Distinct().ToList();
        if (!personal && notDelegable.Count > 0)
            return new ScopeNotDelegable(notDelegable);
        if (!isAdmin)
        {
            var held = caller.ScopesOf();
            var missing = scopes.Where(s => !Scopes.Covers(held, s)).ToList();
            if (missing.Count > 0)
                return new ScopeEscalationForbidden(missing);
        }

        var (token, secret) = TokenIssuer.Issue(db, new TokenGrant(ownerId, body.Name, scopes, expiry.Value, callerId, makerToken, personal), now);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedTokenResponse(token.Id, secret, token.Name, token.Scopes, token.ExpiresAt);
    }
}
