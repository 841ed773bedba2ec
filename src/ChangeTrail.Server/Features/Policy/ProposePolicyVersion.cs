using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>
/// POST /policy/versions: a Head of Engineering, a Security Officer or an Admin proposes the policy's text. It is in force once
/// a Head of Engineering and a Security Officer approve it (policy 6: changing the policy is itself a change, with a ledger entry).
/// </summary>
public static class ProposePolicyVersion
{
    private const int MaxAttempts = 3;

    /// <summary>Who may propose: the endpoint's policy, which the policy's page checks too before its form goes through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access =
        EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.HeadOfEngineering, Role.SecurityOfficer, Role.Admin);

    public static void Map(RouteGroupBuilder policy) =>
        policy.MapPost("/versions", HandleAsync).RequireAuthorization(Access).WithName(nameof(ProposePolicyVersion))
            .WithSummary("Propose a new version of the policy's text (Markdown), with what changed and why");

    private static async Task<Results<Created<PolicyVersionResponse>, ProblemHttpResult>> HandleAsync(ProposePolicyVersionRequest body,
        ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock, Notifier notifier, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, notifier, clock.UtcNow, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/policy/versions/{result.Value!.Number}", result.Value)
            : Problems.From(result.Error!);
    }

    public static async Task<Result<PolicyVersionResponse>> ExecuteAsync(ProposePolicyVersionRequest body, Actor proposer, ChangeTrailDbContext db,
        Notifier notifier, DateTime now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // Numbers follow the order of proposals; two proposals racing for one number meet the unique index and the later retries.
            var number = (await db.PolicyVersions.MaxAsync(v => (int?)v.Number, cancellationToken) ?? 0) + 1;
            var proposed = PolicyVersion.Propose(Guid.NewGuid(), number, body.Text, body.Summary, proposer, now);
            if (!proposed.IsSuccess)
                return proposed.Error!;
            db.PolicyVersions.Add(proposed.Value!);
            db.Record(LedgerSubjects.PolicyVersion, proposer.Id, "proposed", proposed.Value!, now);
            await RecordNotifications.AddAsync(db, notifier, proposed.Value!, "proposed", now, cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return await PolicyView.BuildAsync(proposed.Value!, db, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                db.ChangeTracker.Clear();
                db.DiscardRecorded();
            }
        }
    }
}
