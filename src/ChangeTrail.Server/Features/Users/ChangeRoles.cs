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

public sealed record CannotRemoveOwnAdmin()
    : DomainError(ErrorKind.Conflict, "cannot-remove-own-admin", "You cannot remove your own Admin role",
        "Ask another administrator; this keeps an installation from losing its last admin.");

/// <summary>
/// PUT /users/{id}/roles: an admin sets an identity's roles. The change is a ledger entry, and it renews the
/// security stamp, so the person's browser sessions end and pick up the new roles at the next sign-in.
/// </summary>
public static class ChangeRoles
{
    public static void Map(RouteGroupBuilder users) =>
        users.MapPut("/{id:guid}/roles", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(ChangeRoles))
            .WithSummary("Set a user's or service account's roles");

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> HandleAsync(Guid id, ChangeRolesRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(id, body.Roles ?? [], user.UserIdOf(), db, users, clock, cancellationToken);
        if (!result.IsSuccess)
            return Problems.From(result.Error!);
        return TypedResults.Ok((await ListUsers.ExecuteAsync(db, cancellationToken)).Single(u => u.Id == id));
    }

    public static async Task<Result> ExecuteAsync(Guid id, IReadOnlyList<Role> roles, Guid adminId, ChangeTrailDbContext db,
        UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var target = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (target is null)
            return new RecordNotFound($"User {id}");
        var errors = new ValidationErrors();
        Identities.ValidateRoles(roles, target.IsServiceAccount, errors);
        if (errors.Any)
            return errors.ToResult();
        if (id == adminId && !roles.Contains(Role.Admin))
            return new CannotRemoveOwnAdmin();

        var wanted = roles.Distinct().Select(r => r.ToString()).ToHashSet();
        var current = (await users.GetRolesAsync(target)).ToHashSet();
        if (wanted.SetEquals(current))
            return Result.Success;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await users.RemoveFromRolesAsync(target, current.Except(wanted));
        await users.AddToRolesAsync(target, wanted.Except(current));
        db.Record(LedgerSubjects.User, adminId, "roles-changed", new UserWithRoles(target, wanted), clock.UtcNow);
        await users.UpdateSecurityStampAsync(target);
        await transaction.CommitAsync(cancellationToken);
        return Result.Success;
    }
}
