using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Api;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ChangeTrail.Server.Auth;

public sealed record ScopeRequired(string Scope)
    : DomainError(ErrorKind.Forbidden, "scope-required", "Token scope required", $"This call needs a token with the '{Scope}' scope.");

/// <summary>Approvals are personal: a personal scope is granted only to the person's own credential, and counts only on it.</summary>
public sealed record ScopeNotDelegable(IReadOnlyList<string> Scopes)
    : DomainError(ErrorKind.Forbidden, "scope-not-delegable", "Scope not delegable",
        $"{string.Join(", ", Scopes)} can only be held by a token its owner creates for themself by proving who they are: " +
        "POST /api/v1/auth/tokens with their password (changetrail login), or their own My tokens page in the web UI (/account/tokens).");

/// <summary>An authorization requirement that knows the refusal to report when it is not met.</summary>
public interface IExplainedRequirement : IAuthorizationRequirement
{
    /// <summary>When several requirements fail, the lowest is reported: the most fundamental reason first.</summary>
    int Priority { get; }

    DomainError Refusal { get; }
}

/// <summary>The token must carry this scope.</summary>
public sealed record ScopeRequirement(string Scope) : IExplainedRequirement
{
    public int Priority => 1;
    public DomainError Refusal => new ScopeRequired(Scope);
}

/// <summary>
/// A personal scope (<see cref="Scopes.Personal"/>) counts only on the person's own credential, checked again at every
/// use: a token someone else made for them — even one stored with the scope before this rule existed — decides nothing.
/// </summary>
public sealed record PersonalCredentialRequirement(string Scope) : IExplainedRequirement
{
    public int Priority => 2;
    public DomainError Refusal => new ScopeNotDelegable([Scope]);
}

/// <summary>Policy 3.7: a pipeline identity never approves, whatever its token says.</summary>
public sealed record HumanRequirement : IExplainedRequirement
{
    public int Priority => 0;
    public DomainError Refusal => new ServiceAccountCannotApprove();
}

public sealed class ExplainedRequirementHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        foreach (var requirement in context.PendingRequirements.ToList())
        {
            var met = requirement switch
            {
                // The gate is asked with any gate scope; which environments it covers is part of the answer.
                ScopeRequirement { Scope: Scopes.Gate } => context.User.ScopesOf().Any(Scopes.IsGateScope),
                ScopeRequirement scope => context.User.HasScope(scope.Scope),
                HumanRequirement => context.User.FindFirst(ChangeTrailClaims.ServiceAccount)?.Value == "false",
                PersonalCredentialRequirement => context.User.IsPersonalCredential(),
                _ => false,
            };
            if (met)
                context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

public static class EndpointAuthorization
{
    /// <summary>Requires an authenticated identity whose token has <paramref name="scope"/> and, if given, one of <paramref name="roles"/>.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, string scope, params Role[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(AccessPolicy(scope, roles));

    /// <summary>
    /// The policy of <see cref="RequireAccess"/>: the scope (on the person's own credential, for a personal scope) and a
    /// role. Pages that take the same steps as an endpoint check the same policy.
    /// </summary>
    public static AuthorizationPolicy AccessPolicy(string scope, params Role[] roles)
    {
        var policy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(scope));
        if (Scopes.IsPersonal(scope))
            policy.AddRequirements(new PersonalCredentialRequirement(scope));
        if (roles.Length > 0)
            policy.RequireRole(roles.Select(r => r.ToString()));
        return policy.Build();
    }

    /// <summary>Why an authorization failed, in the rules' words: the most fundamental unmet requirement.</summary>
    public static DomainError RefusalOf(AuthorizationFailure? failure)
    {
        var failed = failure?.FailedRequirements.ToList() ?? [];
        return failed.OfType<IExplainedRequirement>().OrderBy(r => r.Priority).FirstOrDefault()?.Refusal
            ?? failed.OfType<RolesAuthorizationRequirement>().Select(r => (DomainError)new RoleRequired("make this call", r.AllowedRoles.ToList())).FirstOrDefault()
            ?? new RoleRequired("make this call", []);
    }

    /// <summary>Refuses service accounts outright: decisions are made by people.</summary>
    public static TBuilder RequireHuman<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddRequirements(new HumanRequirement()));
}

/// <summary>Writes refusals of the authorization middleware as problem+json that says what was missing.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // Pages answer the browser the usual way: a redirect to sign in, or the access-denied page.
        if (!context.Request.Path.StartsWithSegments("/api"))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
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
            await Problems.From(EndpointAuthorization.RefusalOf(authorizeResult.AuthorizationFailure)).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
