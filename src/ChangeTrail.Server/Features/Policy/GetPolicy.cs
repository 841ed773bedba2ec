using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>GET /policy (the policy in force, its history, reviews and next review due) and GET /policy/versions/{number}.</summary>
public static class GetPolicy
{
    public static void Map(RouteGroupBuilder policy)
    {
        policy.MapGet("/", async (ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken) =>
                TypedResults.Ok(await PolicyView.BuildAsync(db, clock.UtcNow, cancellationToken)))
            .RequireAccess(Scopes.ChangesRead).WithName(nameof(GetPolicy))
            .WithSummary("The Change Management Policy in force, its versions, its reviews and when the next review is due");

        policy.MapGet("/versions/{number}", async Task<Results<Ok<PolicyVersionResponse>, ProblemHttpResult>> (string number, ChangeTrailDbContext db,
                CancellationToken cancellationToken) =>
                await VersionAsync(number, db, cancellationToken) is { } found
                    ? TypedResults.Ok(found.View)
                    : Problems.From(new RecordNotFound($"Policy version {number}")))
            .RequireAccess(Scopes.ChangesRead).WithName("GetPolicyVersion").WithSummary("Read one version of the policy (v3 or 3)");
    }

    /// <summary>
    /// One version by its number, "v3" or "3": the record (the version's page asks its own rules who may decide on it) and the
    /// view the API answers with; null when there is no such version.
    /// </summary>
    public static async Task<(PolicyVersion Version, PolicyVersionResponse View)?> VersionAsync(string number, ChangeTrailDbContext db,
        CancellationToken cancellationToken) =>
        await PolicyView.FindAsync(db.PolicyVersions.AsNoTracking(), number, cancellationToken) is { } version
            ? (version, await PolicyView.BuildAsync(version, db, cancellationToken))
            : null;
}
