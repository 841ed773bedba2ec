using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>
/// POST /exceptions/{id}/approvals: a Head of Engineering or a Security Officer approves or rejects an exception (policy 5).
/// It takes effect with the second sign-off by a second person; one person holding both roles counts once.
/// </summary>
public static class DecidePolicyException
{
    /// <summary>Who may decide: the endpoint's policy, which the exception's page checks too before its buttons go through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesApprove, Role.HeadOfEngineering, Role.SecurityOfficer);

    public static void Map(RouteGroupBuilder exceptions) =>
        exceptions.MapPost("/{idOrNumber}/approvals", async Task<Results<Ok<PolicyExceptionResponse>, ProblemHttpResult>> (string idOrNumber,
                DecisionRequest body, ClaimsPrincipal user, RecordCommand command, ChangeTrailDbContext db, Clock clock,
                CancellationToken cancellationToken) =>
            {
                var result = await ExecuteAsync(idOrNumber, body.Decision, body.Comment, user.ToActor(), command, db, clock, cancellationToken);
                return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
            })
            .RequireAuthorization(Access).RequireHuman()
            .WithName(nameof(DecidePolicyException))
            .WithSummary("Approve or reject a policy exception (HeadOfEngineering, SecurityOfficer; two distinct people, neither the requestor)");

    // Sign-offs racing each other are all recorded (re-read and retried).
    public static Task<Result<PolicyExceptionResponse>> ExecuteAsync(string idOrNumber, ApprovalDecision? decision, string? comment, Actor approver,
        RecordCommand command, ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
        decision is not { } given
            ? Task.FromResult<Result<PolicyExceptionResponse>>(ValidationFailed.For("decision", "Say 'approve' or 'reject'."))
            : PolicyExceptionCommands.RunAsync(command, idOrNumber, approver, (exception, now) =>
            {
                var decided = exception.Decide(approver, given, comment, now);
                if (!decided.IsSuccess)
                    return decided.Error!;
                return exception.State switch
                {
                    PolicyExceptionState.Approved => "approved",
                    PolicyExceptionState.Rejected => "rejected",
                    _ => "signed-off",
                };
            }, OnConflict.Retry, db, clock, cancellationToken);
}
