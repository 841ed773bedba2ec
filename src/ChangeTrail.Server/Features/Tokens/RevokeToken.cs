using System.Security.Claims;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Tokens;

/// <summary>DELETE /tokens/{id}: revoked at once, by an admin or the token's owner. Revoking twice is harmless.</summary>
public static class RevokeToken
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapDelete("/tokens/{id:guid}", HandleAsync).RequireAuthorization().WithName(nameof(RevokeToken)).WithTags("Identities")
            .WithSummary("Revoke an API token");

    private static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(Guid id, ClaimsPrincipal user, ChangeTrailDbContext db,
        Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(id, user, db, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : Problems.From(result.Error!);
    }

    public static async Task<Result> ExecuteAsync(Guid id, ClaimsPrincipal caller, ChangeTrailDbContext db, Clock clock,
        CancellationToken cancellationToken)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        var isAdmin = caller.IsInRole(nameof(Role.Admin)) && caller.HasScope(Scopes.Admin);
        // Someone else's token is "not found" to a non-admin: its existence is none of their business.
        if (token is null || (!isAdmin && token.OwnerId != caller.UserIdOf()))
            return new RecordNotFound($"Token {id}");
        if (token.RevokedAt is null)
        {
            token.RevokedAt = clock.UtcNow;
            db.Record(LedgerSubjects.ApiToken, caller.UserIdOf(), "revoked", token, token.RevokedAt.Value);
            await db.SaveChangesAsync(cancellationToken);
        }
        return Result.Success;
    }
}
