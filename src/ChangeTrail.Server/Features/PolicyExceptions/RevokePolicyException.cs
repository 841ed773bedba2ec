using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>
/// POST /exceptions/{id}/revoke: ends an exception before its expiry, with the reason — its requestor withdrawing a request, or
/// a Head of Engineering, Security Officer or Admin ending one. From then on it lifts nothing; its record stays.
/// </summary>
public static class RevokePolicyException
{
    /// <summary>Who may revoke: the endpoint's policy, which the exception's page checks too before its form goes through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor, Role.HeadOfEngineering, Role.SecurityOfficer, Role.Admin);

    public static void Map(RouteGroupBuilder exceptions) =>
        exceptions.MapPost("/{idOrNumber}/revoke", async Task<Results<Ok<PolicyExceptionResponse>, ProblemHttpResult>> (string idOrNumber,
                RevokeExceptionRequest body, ClaimsPrincipal user, RecordCommand command, ChangeTrailDbContext db, Clock clock,
                CancellationToken cancellationToken) =>
            {
                var result = await ExecuteAsync(idOrNumber, body.Reason, user.ToActor(), command, db, clock, cancellationToken);
                return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
            })
            .RequireAuthorization(Access)
            .WithName(nameof(RevokePolicyException))
            .WithSummary("End a policy exception early, with the reason (its requestor while requested; HeadOfEngineering, SecurityOfficer, Admin)");

    public static Task<Result<PolicyExceptionResponse>> ExecuteAsync(string idOrNumber, string? reason, Actor actor, RecordCommand command,
        ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
        PolicyExceptionCommands.RunAsync(command, idOrNumber, actor, (exception, now) =>
        {
            var revoked = exception.Revoke(actor, reason, now);
            return revoked.IsSuccess ? "revoked" : revoked.Error!;
        }, OnConflict.Refuse, db, clock, cancellationToken);
}
