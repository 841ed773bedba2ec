using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>
/// POST /policy/reviews: a Head of Engineering or a Security Officer records a review of the policy in force (policy 6): what
/// they found and what is to change. The next review falls due twelve months later.
/// </summary>
public static class RecordPolicyReview
{
    /// <summary>Who may record a review: the endpoint's policy, which the policy's page checks too before its form goes through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.HeadOfEngineering, Role.SecurityOfficer);

    public static void Map(RouteGroupBuilder policy) =>
        policy.MapPost("/reviews", HandleAsync).RequireAuthorization(Access).WithName(nameof(RecordPolicyReview))
            .WithSummary("Record a review of the policy in force: outcome (unchanged, changesNeeded) and notes");

    private static async Task<Results<Created<PolicyResponse>, ProblemHttpResult>> HandleAsync(PolicyReviewRequest body, ClaimsPrincipal user,
        ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, clock.UtcNow, cancellationToken);
        return result.IsSuccess ? TypedResults.Created("/api/v1/policy", result.Value) : Problems.From(result.Error!);
    }

    public static async Task<Result<PolicyResponse>> ExecuteAsync(PolicyReviewRequest body, Actor reviewer, ChangeTrailDbContext db, DateTime now,
        CancellationToken cancellationToken)
    {
        var inForce = await db.PolicyVersions.AsNoTracking().SingleOrDefaultAsync(v => v.State == PolicyVersionState.InForce, cancellationToken);
        var recorded = PolicyReview.Record(Guid.NewGuid(), inForce, body.Outcome, body.Notes, reviewer, now);
        if (!recorded.IsSuccess)
            return recorded.Error!;
        db.PolicyReviews.Add(recorded.Value!);
        db.Record(LedgerSubjects.PolicyReview, reviewer.Id, "recorded", recorded.Value!, now);
        await db.SaveChangesAsync(cancellationToken);
        return await PolicyView.BuildAsync(db, now, cancellationToken);
    }
}
