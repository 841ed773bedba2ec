using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.ServiceAccounts;

public sealed record ServiceAccountNameTaken(string Name)
    : DomainError(ErrorKind.Conflict, "service-account-name-taken", "Name taken", $"A service account named {Name} already exists.");

/// <summary>POST /service-accounts: a pipeline identity. It has no password and can never approve (policy 3.7).</summary>
public static class CreateServiceAccount
{
    public const int NameMaxLength = 100;

    public static void Map(RouteGroupBuilder api)
    {
        var serviceAccounts = api.MapGroup("/service-accounts").WithTags("Identities");
        serviceAccounts.MapPost("/", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(CreateServiceAccount))
            .WithSummary("Create a service account for a pipeline");
        CreateToken.MapForServiceAccounts(serviceAccounts);
    }

    private static async Task<Results<Created<CreatedResponse>, ProblemHttpResult>> HandleAsync(CreateServiceAccountRequest body,
        System.Security.Claims.ClaimsPrincipal user, ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.UserIdOf(), db, users, clock, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/users/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedResponse>> ExecuteAsync(CreateServiceAccountRequest body, Guid actorId, ChangeTrailDbContext db,
        UserManager<AppUser> users, Clock clock, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.Require("name", body.Name, NameMaxLength);
        if (!string.IsNullOrWhiteSpace(body.Name) && !body.Name.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add("name", "Use letters, digits, '-', '_' or '.' only.");
        Identities.ValidateRoles(body.Roles, forServiceAccount: true, errors);
        if (errors.Any)
            return errors.ToResult().Error!;

        var name = body.Name.Trim();
        var userName = Identities.ServiceAccountUserNamePrefix + name;
        var normalizedUserName = userName.ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalizedUserName, cancellationToken))
            return new ServiceAccountNameTaken(name);
        var account = new AppUser
        {
            Id = Guid.NewGuid(),
            UserName = userName,
            DisplayName = name,
            IsServiceAccount = true,
            CreatedAt = clock.UtcNow,
        };
        var created = await Identities.CreateAsync(users, db, account, null, body.Roles ?? [], actorId, cancellationToken);
        return created.IsSuccess ? new CreatedResponse(account.Id) : created.Error!;
    }
}
