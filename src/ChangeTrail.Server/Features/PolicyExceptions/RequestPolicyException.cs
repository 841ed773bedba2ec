using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>
/// POST /exceptions: a requestor documents a deviation from one control of the policy (policy 5) — what, why it is acceptable,
/// what compensates, until when. It lifts nothing until a Head of Engineering and a Security Officer approve it.
/// </summary>
public static class RequestPolicyException
{
    /// <summary>Who may ask: the endpoint's policy, which the register's page checks too before its form goes through <see cref="ExecuteAsync"/>.</summary>
    public static readonly AuthorizationPolicy Access = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite, Role.Requestor);

    public static void Map(RouteGroupBuilder exceptions) =>
        exceptions.MapPost("/", HandleAsync).RequireAuthorization(Access).WithName(nameof(RequestPolicyException))
            .WithSummary("Ask for a policy exception: the control deviated from, risk assessment, compensating controls and expiry");

    private static async Task<Results<Created<PolicyExceptionResponse>, ProblemHttpResult>> HandleAsync(PolicyExceptionRequest body,
        ClaimsPrincipal user, ChangeTrailDbContext db, Clock clock, Notifier notifier, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, notifier, clock.UtcNow, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/exceptions/{result.Value!.Number}", result.Value)
            : Problems.From(result.Error!);
    }

    public static async Task<Result<PolicyExceptionResponse>> ExecuteAsync(PolicyExceptionRequest body, Actor requestor, ChangeTrailDbContext db,
        Notifier notifier, DateTime now, CancellationToken cancellationToken)
    {
        // Checked before a number is spent on a request that would be refused anyway.
        var check = PolicyException.Request(Guid.Empty, 0, body.Title, body.PolicyClause, body.Description, body.RiskAssessment,
            body.CompensatingControls, Clock.AsUtc(body.ExpiresAt), requestor, now);
        if (!check.IsSuccess)
            return check.Error!;

        var number = new PolicyExceptionNumber { AllocatedAt = now };
        db.PolicyExceptionNumbers.Add(number);
        await db.SaveChangesAsync(cancellationToken);

        var exception = PolicyException.Request(Guid.NewGuid(), number.Id, body.Title, body.PolicyClause, body.Description,
            body.RiskAssessment, body.CompensatingControls, Clock.AsUtc(body.ExpiresAt), requestor, now).Value!;
        db.PolicyExceptions.Add(exception);
        db.Record(LedgerSubjects.PolicyException, requestor.Id, "requested", exception, now);
        await RecordNotifications.AddAsync(db, notifier, exception, "requested", now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return (await PolicyExceptionView.BuildAsync([exception], db, now, cancellationToken))[0];
    }
}
