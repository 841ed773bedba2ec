using System.Security.Claims;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>POST /changes: a requestor drafts a change request (policy 3.2's first clause).</summary>
public static class CreateChange
{
    /// <summary>
    /// Who may call it: the endpoint's policy, which a template's page checks too before its Standard change form goes through
    /// <see cref="ExecuteAsync"/> (the Requestor role is the use case's own rule).
    /// </summary>
    public static readonly AuthorizationPolicy Access = EndpointAuthorization.AccessPolicy(Scopes.ChangesWrite);

    public static void Map(RouteGroupBuilder changes) =>
        changes.MapPost("/", HandleAsync).RequireAuthorization(Access).WithName(nameof(CreateChange))
            .WithSummary("Draft a change request");

    private static async Task<Results<Created<ChangeResponse>, ProblemHttpResult>> HandleAsync(ChangeFields body, ClaimsPrincipal user,
        ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(body, user.ToActor(), db, clock, questionnaire, cancellationToken);
        return result.IsSuccess
            ? TypedResults.Created($"/api/v1/changes/{result.Value!.Number}", result.Value)
            : Problems.From(result.Error!);
    }

    public static async Task<Result<ChangeResponse>> ExecuteAsync(ChangeFields fields, Actor actor, ChangeTrailDbContext db, Clock clock,
        RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        // Checked before a number is spent on a request that would be refused anyway.
        if (!actor.Has(Role.Requestor))
            return new RoleRequired("request a change", [nameof(Role.Requestor)]);
        if (fields.Type == ChangeType.Standard)
            return await CreateStandardChange.ExecuteAsync(fields, actor, db, clock, questionnaire, cancellationToken);
        var now = clock.UtcNow;
        var input = await ChangeInput.ResolveAsync(fields, db, questionnaire, [], now, cancellationToken);
        if (!input.IsSuccess)
            return input.Error!;

        var number = new ChangeNumber { AllocatedAt = now };
        db.ChangeNumbers.Add(number);
        await db.SaveChangesAsync(cancellationToken);

        var created = ChangeRequest.Create(Guid.NewGuid(), number.Id, input.Value!.Type, input.Value.Content, actor,
            input.Value.Services, questionnaire, now);
        if (!created.IsSuccess)
            return created.Error!;
        var change = created.Value!;
        db.ChangeRequests.Add(change);
        await db.SaveChangesAsync(cancellationToken);
        return await ChangeView.BuildAsync(change, db, questionnaire, now, cancellationToken);
    }
}
