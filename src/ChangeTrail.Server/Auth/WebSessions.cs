using System.Security.Claims;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Auth;

/// <summary>
/// The claims of a signed-in person: the same ones a token carries, so one <see cref="ChangeTrailClaims.ToActor"/>
/// serves both. A browser session holds every scope; what it may do is bounded by the person's roles.
/// </summary>
public sealed class ChangeTrailClaimsFactory(UserManager<AppUser> users, RoleManager<IdentityRole<Guid>> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole<Guid>>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (identity.FindFirst(ChangeTrailClaims.Name) is { } userName)
            identity.RemoveClaim(userName);
        identity.AddClaim(new Claim(ChangeTrailClaims.Name, user.DisplayName));
        identity.AddClaim(new Claim(ChangeTrailClaims.ServiceAccount, "false"));
        identity.AddClaim(new Claim(ChangeTrailClaims.Personal, user.MustChangePassword ? "false" : "true"));
        foreach (var scope in Scopes.All)
            identity.AddClaim(new Claim(ChangeTrailClaims.Scope, scope));
        return identity;
    }
}

/// <summary>Only active people sign in: never a service account, never a deactivated identity.</summary>
public sealed class ChangeTrailSignInManager(
    UserManager<AppUser> users,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation)
    : SignInManager<AppUser>(users, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(AppUser user) =>
        user.IsActive && !user.IsServiceAccount && await base.CanSignInAsync(user);
}

public static class WebSessions
{
    /// <summary>Picks the scheme by path: the API speaks bearer tokens only (no cookie, so no CSRF), pages use the session cookie.</summary>
    public const string SelectorScheme = "ChangeTrail";

    public static IServiceCollection AddChangeTrailAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Bearer for /api, cookie elsewhere", policy =>
                policy.ForwardDefaultSelector = context => context.Request.Path.StartsWithSegments("/api")
                    ? TokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/login";
            cookie.LogoutPath = "/logout";
            cookie.AccessDeniedPath = "/denied";
            cookie.Cookie.Name = "changetrail.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        // Deactivation changes the security stamp; checking it on every request ends the session at once. The check
        // rebuilds the claims from the database, keeping the session's own id, which only its sign-in knows.
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.Zero;
            o.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal?.FindFirst(ChangeTrailClaims.SessionId) is { } session && context.NewPrincipal?.Identity is ClaimsIdentity fresh)
                    fresh.AddClaim(new Claim(ChangeTrailClaims.SessionId, session.Value));
                return Task.CompletedTask;
            };
        });
        return services;
    }
}
