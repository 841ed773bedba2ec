using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Changes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>
/// POST /policy/versions/{number}/approvals: a Head of Engineering or a Security Officer approves or rejects a proposed version
/// (policy 6). With the second sign-off by a second person it comes into force and the version in force until then is superseded.
/// </summary>
public static class DecidePolicyVersion
{
    /// <summary>Who may decide: the endpoint's policy, which the version's page checks too before its buttons go through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesApprove, Role.HeadOfEngineering, Role.SecurityOfficer);

    public static void Map(RouteGroupBuilder policy) =>
        policy.MapPost("/versions/{number}/approvals", async Task<Results<Ok<PolicyVersionResponse>, ProblemHttpResult>> (string number,
                DecisionRequest body, ClaimsPrincipal user, RecordCommand command, ChangeTrailDbContext db, CancellationToken cancellationToken) =>
            {
                var result = await ExecuteAsync(number, body.Decision, body.Comment, user.ToActor(), command, db, cancellationToken);
                return result.IsSuccess ? TypedResults.Ok(result.Value!) : Problems.From(result.Error!);
            })
            .RequireAuthorization(Access).RequireHuman()
            .WithName(nameof(DecidePolicyVersion))
            .WithSummary("Approve or reject a proposed version of the policy (HeadOfEngineering, SecurityOfficer; two distinct people, neither the proposer)");

    // Sign-offs racing each other are all recorded (re-read and retried); two versions approved at once cannot both supersede
    // the one in force: the second's save fails on it, and its retry supersedes the first.
    public static async Task<Result<PolicyVersionResponse>> ExecuteAsync(string number, ApprovalDecision? decision, string? comment, Actor approver,
        RecordCommand command, ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        if (decision is not { } given)
            return ValidationFailed.For("decision", "Say 'approve' or 'reject'.");
        var saved = await command.RunAsync($"Policy version {number}", d => PolicyView.FindAsync(d.PolicyVersions, number, cancellationToken),
            LedgerSubjects.PolicyVersion, approver, async (version, now) =>
            {
                var inForce = await db.PolicyVersions.SingleOrDefaultAsync(v => v.State == PolicyVersionState.InForce, cancellationToken);
                var decided = version.Decide(approver, given, comment, inForce, now);
                if (!decided.IsSuccess)
                    return decided.Error!;
                if (inForce is { State: PolicyVersionState.Superseded })
                    db.Record(LedgerSubjects.PolicyVersion, approver.Id, "superseded", inForce, now);
                return version.State switch
                {
                    PolicyVersionState.InForce => "approved",
                    PolicyVersionState.Rejected => "rejected",
                    _ => "signed-off",
                };
            }, OnConflict.Retry, cancellationToken);
        return saved.IsSuccess ? await PolicyView.BuildAsync(saved.Value!, db, cancellationToken) : saved.Error!;
    }
}
