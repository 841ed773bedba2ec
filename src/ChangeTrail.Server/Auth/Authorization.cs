using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ChangeTrail.Server.Auth;

/// <summary>The token must carry this scope (cookie sessions, later, carry every scope their roles allow).</summary>
public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

public sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasScope(requirement.Scope))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

public static class EndpointAuthorization
{
    /// <summary>Requires an authenticated identity whose token has <paramref name="scope"/> and, if given, one of <paramref name="roles"/>.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, string scope, params Role[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy =>
        {
            policy.RequireAuthenticatedUser();
            policy.AddRequirements(new ScopeRequirement(scope));
            if (roles.Length > 0)
                policy.RequireRole(roles.Select(r => r.ToString()));
        });
}

/// <summary>Writes refusals of the authorization middleware as problem+json that says what was missing.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var failure = context.Items[TokenAuthenticationHandler.FailureItem] as string;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "unauthenticated", "Authentication required",
                failure ?? "Send 'Authorization: Bearer <token>' with a valid API token.");
            return;
        }
        if (authorizeResult.Forbidden)
        {
            var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
            var scope = failed.OfType<ScopeRequirement>().FirstOrDefault();
            var roles = failed.OfType<RolesAuthorizationRequirement>().FirstOrDefault();
            if (scope is not null)
                await Problems.Write(context, StatusCodes.Status403Forbidden, "scope-required", "Token scope required",
                    $"This call needs a token with the '{scope.Scope}' scope.");
            else if (roles is not null)
                await Problems.Write(context, StatusCodes.Status403Forbidden, "role-required", "Role required",
                    $"This call needs one of these roles: {string.Join(", ", roles.AllowedRoles)}.");
            else
                await Problems.Write(context, StatusCodes.Status403Forbidden, "forbidden", "Forbidden", "You may not do this.");
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
