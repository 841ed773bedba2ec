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

public sealed record AlreadyActivated(string Name)
    : DomainError(ErrorKind.Conflict, "already-activated", "Already has a password of their own",
        $"{Name} has chosen their own password; an administrator cannot replace it with an invitation.");

/// <summary>
/// POST /users/{id}/invitation: a new one-time link for a person who has not chosen a password yet (the last link
/// expired or was lost); the earlier link stops working. Never for someone with a password of their own: that would let
/// an Admin take over a working account.
/// </summary>
public static class ReissueInvitation
{
    public static void Map(RouteGroupBuilder users) =>
        users.MapPost("/{id:guid}/invitation", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).RequireRateLimiting(RateLimits.Tokens)
            .WithName(nameof(ReissueInvitation)).WithSummary("A new one-time invitation link for a person who has not chosen a password yet");

    private static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> HandleAsync(Guid id, ClaimsPrincipal user, HttpRequest request,
        ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(id, user.UserIdOf(), Invitations.SiteBase(request), db, users, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/users/{id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<InvitationResponse>> ExecuteAsync(Guid id, Guid adminId, string siteBase, ChangeTrailDbContext db,
        UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var person = await db.Users.SingleOrDefaultAsync(u => u.Id == id && !u.IsServiceAccount, cancellationToken);
        if (person is null)
            return new RecordNotFound($"User {id}");
        if (!person.IsActive)
            return ValidationFailed.For("id", "This identity is deactivated.");
        if (!Invitations.NotYetActivated(person))
            return new AlreadyActivated(person.DisplayName);

        var now = clock.UtcNow;
        var invitation = Invitations.Open(person, siteBase, now);
        db.Record(LedgerSubjects.User, adminId, "invited", new UserWithRoles(person, await users.GetRolesAsync(person)), now);
        await db.SaveChangesAsync(cancellationToken);
        return invitation;
    }
}
