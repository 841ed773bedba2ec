using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.SignIn;

/// <summary>
/// POST /auth/tokens: a person proves who they are with their email and password and receives a token of their own
/// (what <c>changetrail login</c> keeps). It is the only API path to a personal scope such as <c>changes:approve</c>:
/// nobody else can make one for them. Sign-in's rules apply: one answer for every refusal, lockout per client, a
/// temporary password replaced first (<c>newPassword</c>), and a per-client rate limit.
/// </summary>
public static class IssuePersonalToken
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/auth/tokens", HandleAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName(nameof(IssuePersonalToken))
            .WithTags("Identities").WithSummary("Sign in with your password and get a token of your own (the only way to an approving scope)");

    private static async Task<Results<Created<CreatedTokenResponse>, ProblemHttpResult>> HandleAsync(PersonalTokenRequest body, HttpContext http,
        PasswordSignIn passwords, ChangeTrailDbContext db, Clock clock, IOptions<ChangeTrailOptions> options, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, RateLimits.ClientOf(http), passwords, db, clock, options.Value.Tokens, cancellationToken);
        return result.IsSuccess ? TypedResults.Created($"/api/v1/tokens/{result.Value!.Id}", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<CreatedTokenResponse>> ExecuteAsync(PersonalTokenRequest body, string client, PasswordSignIn passwords,
        ChangeTrailDbContext db, Clock clock, ApiTokenOptions tokens, CancellationToken cancellationToken)
    {
        // The request's own shape first: a malformed one is refused without touching the password or the lockout count.
        var now = clock.UtcNow;
        var scopes = body.Scopes ?? [];
        var errors = new ValidationErrors();
        PasswordSignIn.ValidateShape(body.Email, body.Password, body.NewPassword, errors);
        var expiry = TokenIssuer.Validate(body.Name, scopes, body.ExpiresAt, forServiceAccount: false,
            TokenIssuer.LatestExpiry(now, tokens.MaxLifetime, makerExpiry: null), now, errors);
        if (!expiry.IsSuccess)
            return expiry.Error!;

        var person = await passwords.CheckAsync(body.Email, body.Password, body.NewPassword, client, SignInDoor.Api, cancellationToken);
        if (!person.IsSuccess)
            return person.Error!;
        var owner = person.Value!;
        var (token, secret) = TokenIssuer.Issue(db,
            new TokenGrant(owner.Id, body.Name, scopes, expiry.Value, owner.Id, CreatedWithTokenId: null, PersonallyIssued: true), clock.UtcNow);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedTokenResponse(token.Id, secret, token.Name, token.Scopes, token.ExpiresAt);
    }
}
