using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Users;

public sealed record CannotDeactivateSelf()
    : DomainError(ErrorKind.Conflict, "cannot-deactivate-self", "You cannot deactivate yourself",
        "Ask another administrator; this keeps an installation from locking out its last admin.");

/// <summary>POST /users/{id}/deactivate: the identity's sessions and tokens stop working at once. Works for service accounts too.</summary>
public static class DeactivateUser
{
    public static void Map(RouteGroupBuilder users) =>
        users.MapPost("/{id:guid}/deactivate", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(DeactivateUser))
            .WithSummary("Deactivate a user or service account, revoking its tokens");

    private static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(Guid id, ClaimsPrincipal user, ChangeTrailDbContext db,
        UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(id, user.UserIdOf(), db, users, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.NoContent() : Problems.From(result.Error!);
    }

    public static async Task<Result> ExecuteAsync(Guid id, Guid adminId, ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock,
        CancellationToken cancellationToken)
    {
        if (id == adminId)
            return new CannotDeactivateSelf();
        var target = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (target is null)
            return new RecordNotFound($"User {id}");
        if (!target.IsActive)
            return Result.Success;

        var now = clock.UtcNow;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        target.DeactivatedAt = now;
        foreach (var token in await db.ApiTokens.Where(t => t.OwnerId == id && t.RevokedAt == null).ToListAsync(cancellationToken))
        {
            token.RevokedAt = now;
            db.Record(LedgerSubjects.ApiToken, adminId, "revoked", token, now);
        }
        // An open invitation dies with the account.
        target.InvitationHash = null;
        target.InvitationExpiresAt = null;
        db.Record(LedgerSubjects.User, adminId, "deactivated", new UserWithRoles(target, await users.GetRolesAsync(target)), now);
        // A new security stamp invalidates every cookie session the person holds; its save appends the entries above.
        await users.UpdateSecurityStampAsync(target);
        await transaction.CommitAsync(cancellationToken);
        return Result.Success;
    }
}
