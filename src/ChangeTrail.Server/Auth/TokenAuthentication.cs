using System.Security.Claims;
using System.Text.Encodings.Web;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer ctp_...</c>, or <c>?token=ctp_...</c> on the endpoints that allow it (see
/// <see cref="TokenInUrl"/>) for a token that may only read changes. Every request re-checks revocation, expiry and the
/// owner's deactivation, so each takes effect at once: against the rows as <see cref="TokenCache"/> keeps them, which
/// it trusts only after reading, on this request, that no credential has changed since it loaded them.
/// </summary>
public sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    Clock clock,
    TokenCache cache,
    IOptions<ChangeTrailOptions> settings)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    /// <summary>Where the reason a token was refused waits for the 401 that reports it.</summary>
    public const string FailureItem = "ChangeTrail.AuthenticationFailure";

    // Recording every use would turn each read into a write; a minute's precision is enough for access reviews.
    private static readonly TimeSpan LastUsedPrecision = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await AuthenticateTokenAsync();
        if (result.Failure is not null)
            Context.Items[FailureItem] = result.Failure.Message;
        return result;
    }

    private async Task<AuthenticateResult> AuthenticateTokenAsync()
    {
        string? header = Request.Headers.Authorization;
        string token;
        var inUrl = false;
        if (!string.IsNullOrEmpty(header))
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
            token = header["Bearer ".Length..].Trim();
        }
        else if (TokenInUrl.IsAllowedFor(Context) && Request.Query.TryGetValue(TokenInUrl.Parameter, out var inQuery) && inQuery.Count > 0)
        {
            token = inQuery.ToString();
            inUrl = true;
        }
        else
        {
            return AuthenticateResult.NoResult();
        }
        if (!TokenSecrets.IsWellFormed(token))
            return AuthenticateResult.Fail(inUrl ? "The token in the URL is malformed." : "The bearer token is malformed.");

        var hash = TokenSecrets.Hash(token);
        // The epoch first, then the rows: rows loaded after it are at least as new as it, so keeping them under it is safe.
        var epoch = await cache.ReadEpochAsync(Context.RequestAborted);
        var found = cache.Find(hash, epoch);
        if (found is null)
        {
            found = await LoadAsync(hash, epoch);
            if (found is null)
                return AuthenticateResult.Fail("The bearer token is not known.");
            cache.Keep(hash, found);
        }
        var now = clock.UtcNow;
        if (found.Token.RevokedAt is not null)
            return AuthenticateResult.Fail("The bearer token has been revoked.");
        if (found.Token.ExpiryUnder(settings.Value.Tokens.MaxLifetime) <= now)
            return AuthenticateResult.Fail("The bearer token has expired.");
        if (!found.Owner.IsActive)
            return AuthenticateResult.Fail("The token's owner has been deactivated.");
        if (inUrl && !TokenInUrl.MayCarry(found.Token.Scopes))
            return AuthenticateResult.Fail($"A token in the URL may have only the {string.Join(", ", TokenInUrl.AllowedScopes)} scope, because a URL " +
                "is kept in logs and histories: create one with only that scope (My tokens), or send this one in the Authorization header.");

        if (found.ClaimLastUsedWrite(now, LastUsedPrecision))
        {
            await Database.ApiTokens.Where(t => t.Id == found.Token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var claims = new List<Claim>
        {
            new(ChangeTrailClaims.UserId, found.Owner.Id.ToString()),
            new(ChangeTrailClaims.Email, found.Owner.Email ?? ""),
            new(ChangeTrailClaims.Name, found.Owner.DisplayName),
            new(ChangeTrailClaims.ServiceAccount, found.Owner.IsServiceAccount ? "true" : "false"),
            new(ChangeTrailClaims.TokenId, found.Token.Id.ToString()),
            new(ChangeTrailClaims.Personal, found.Token.PersonallyIssued && found.Token.OwnerId == found.Owner.Id ? "true" : "false"),
        };
        claims.AddRange(found.Roles.Select(r => new Claim(ChangeTrailClaims.Role, r)));
        claims.AddRange(found.Token.Scopes.Select(s => new Claim(ChangeTrailClaims.Scope, s)));
        var identity = new ClaimsIdentity(claims, SchemeName, ChangeTrailClaims.Name, ChangeTrailClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private async Task<CachedToken?> LoadAsync(string hash, long epoch)
    {
        var db = Database;
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Join(db.Users, t => t.OwnerId, u => u.Id,
                (t, u) => new { Token = t, Owner = new TokenOwner(u.Id, u.Email, u.DisplayName, u.IsServiceAccount, u.DeactivatedAt == null) })
            .SingleOrDefaultAsync(Context.RequestAborted);
        if (found is null)
            return null;
        var roles = await db.UserRoles.AsNoTracking()
            .Where(ur => ur.UserId == found.Owner.Id)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(Context.RequestAborted);
        return new CachedToken(found.Token, found.Owner, roles, epoch);
    }

    // Asked for only when needed: a request whose token is kept and whose last use is recent touches no DbContext.
    private ChangeTrailDbContext Database => Context.RequestServices.GetRequiredService<ChangeTrailDbContext>();
}
