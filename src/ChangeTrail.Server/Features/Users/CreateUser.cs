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

/// <summary>POST /users: an admin adds a person with their roles; the password is optional (tokens, or set later).</summary>
public static class CreateUser
{
    public static void Map(RouteGroupBuilder users) =>
        users.MapPost("/", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(CreateUser))
            .WithSummary("Add a person with roles");

    private static async Task<Results<Created<CreatedResponse>, ProblemHttpResult>> HandleAsync(CreateUserRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.UserIdOf(), db, users, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/users/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedResponse>> ExecuteAsync(CreateUserRequest body, Guid actorId, ChangeTrailDbContext db,
        UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        Identities.ValidatePerson(body.Email, body.DisplayName, errors);
        if (errors.Any)
            return errors.ToResult().Error!;
        if (await Identities.EmailInUseAsync(db, body.Email, cancellationToken))
            return new EmailAlreadyUsed(body.Email.Trim());

        var person = new AppUser
        {
            Id = Guid.NewGuid(),
            Email = body.Email.Trim(),
            UserName = body.Email.Trim(),
            DisplayName = body.DisplayName.Trim(),
            CreatedAt = clock.UtcNow,
        };
        var created = await Identities.CreateAsync(users, db, person, body.Password, body.Roles ?? [], actorId, cancellationToken);
        return created.IsSuccess ? new CreatedResponse(person.Id) : created.Error!;
    }
}
