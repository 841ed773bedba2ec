using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Setup;

public sealed record SetupAlreadyDone()
    : DomainError(ErrorKind.Conflict, "setup-already-done", "Setup is already done",
        "This server already has users; ask an administrator for an account.");

public sealed record InvalidSetupCode()
    : DomainError(ErrorKind.Forbidden, "invalid-setup-code", "Wrong setup code",
        "The setup code does not match. It is in the server's data folder (setup-code) or its ChangeTrail__SetupCode setting.");

/// <summary>
/// POST /setup: the first administrator and an admin token, for whoever holds the one-time setup code,
/// only while no user exists. The token is the administrator's own (they chose the password in this call), and it
/// expires after <see cref="TokenLifetime"/>.
/// </summary>
public static class RunSetup
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(30);

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/setup", HandleAsync).AllowAnonymous().RequireRateLimiting(RateLimits.Setup).WithName(nameof(RunSetup)).WithTags("Setup")
            .WithSummary("Create the first administrator (first run only)");

    private static async Task<Results<Created<SetupResponse>, ProblemHttpResult>> HandleAsync(SetupRequest body,
        ChangeTrailDbContext db, UserManager<AppUser> users, SetupCode setupCode, Clock clock, IOptions<ChangeTrailOptions> options,
        CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, db, users, setupCode, clock, options.Value.Tokens, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/users/{result.Value!.UserId}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<SetupResponse>> ExecuteAsync(SetupRequest body, ChangeTrailDbContext db, UserManager<AppUser> users,
        SetupCode setupCode, Clock clock, ApiTokenOptions tokens, CancellationToken cancellationToken)
    {
        if (await IsDoneAsync(db, cancellationToken))
            return new SetupAlreadyDone();
        // A code longer than any could be is refused as such, not compared.
        if (body.SetupCode is { Length: > SetupCode.MaxLength })
            return ValidationFailed.For("setupCode", $"At most {SetupCode.MaxLength} characters.");
        if (!setupCode.Matches(body.SetupCode))
            return new InvalidSetupCode();
        var errors = new ValidationErrors();
        Identities.ValidatePerson(body.Email, body.DisplayName, errors);
        errors.Require("password", body.Password, Identities.PasswordMaxLength);
        if (errors.Any)
            return errors.ToResult().Error!;

        var now = clock.UtcNow;
        var admin = new AppUser
        {
            Id = Guid.NewGuid(),
            Email = body.Email.Trim(),
            UserName = body.Email.Trim(),
            DisplayName = body.DisplayName.Trim(),
            CreatedAt = now,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The fixed-key row goes first: a second setup racing this one fails here, before creating anyone.
        db.Installations.Add(new Installation { SetupAt = now, FirstAdminId = admin.Id });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new SetupAlreadyDone();
        }
        var created = await Identities.CreateAsync(users, db, admin, body.Password, [Role.Admin], admin.Id, cancellationToken);
        if (!created.IsSuccess)
            return created.Error!;
        var expiry = TokenIssuer.LatestExpiry(now, tokens.MaxLifetime, now + TokenLifetime);
        var (_, secret) = TokenIssuer.Issue(db, new TokenGrant(admin.Id, "setup", Scopes.All, expiry, admin.Id, null, PersonallyIssued: true), now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        setupCode.Consume();
        return new SetupResponse(admin.Id, secret);
    }

    public static Task<bool> IsDoneAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(cancellationToken);
}
