using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace ChangeTrail.Server.Features.Users;

public sealed record EmailAlreadyUsed(string Email)
    : DomainError(ErrorKind.Conflict, "email-already-used", "Email already used", $"A user with the email {Email} already exists.");

/// <summary>
/// POST /users: an admin adds a person with their roles. People choose their own password: one the Admin gives is
/// temporary (the person must replace it before signing in or issuing a token), and without one the Admin gets a
/// one-time invitation link (<see cref="Invitations"/>) to hand over.
/// </summary>
public static class CreateUser
{
    public static void Map(RouteGroupBuilder users) =>
        users.MapPost("/", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(CreateUser))
            .WithSummary("Add a person with roles (a temporary password, or an invitation link)");

    private static async Task<Results<Created<CreatedUserResponse>, ProblemHttpResult>> HandleAsync(CreateUserRequest body, ClaimsPrincipal user,
        HttpRequest request, ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.UserIdOf(), Invitations.SiteBase(request), db, users, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/users/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedUserResponse>> ExecuteAsync(CreateUserRequest body, Guid actorId, string siteBase,
        ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        Identities.ValidatePerson(body.Email, body.DisplayName, errors);
        Identities.ValidateRoles(body.Roles, forServiceAccount: false, errors);
        errors.MaxLength("password", body.Password, Identities.PasswordMaxLength);
        if (errors.Any)
            return errors.ToResult().Error!;
        if (await Identities.EmailInUseAsync(db, body.Email, cancellationToken))
            return new EmailAlreadyUsed(body.Email.Trim());

        var now = clock.UtcNow;
        var person = new AppUser
        {
            Id = Guid.NewGuid(),
            Email = body.Email.Trim(),
            UserName = body.Email.Trim(),
            DisplayName = body.DisplayName.Trim(),
            CreatedAt = now,
            // Someone other than the person knows this password: it only lets them in to choose their own.
            MustChangePassword = body.Password is not null,
        };
        var invitation = body.Password is null ? Invitations.Open(person, siteBase, now) : null;
        var created = await Identities.CreateAsync(users, db, person, body.Password, body.Roles ?? [], actorId, cancellationToken);
        return created.IsSuccess
            ? new CreatedUserResponse(person.Id, invitation?.InvitationUrl, invitation?.InvitationExpiresAt)
            : created.Error!;
    }
}
