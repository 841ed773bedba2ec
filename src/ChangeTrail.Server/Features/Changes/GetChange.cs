using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>GET /changes/{idOrNumber}: the CR with its risk, approvals required and given, and timeline.</summary>
public static class GetChange
{
    public static void Map(RouteGroupBuilder changes) =>
        changes.MapGet("/{idOrNumber}", HandleAsync).RequireAccess(Scopes.ChangesRead).WithName(nameof(GetChange))
            .WithSummary("Read a change request by id or number");

    private static async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> HandleAsync(string idOrNumber, HttpContext http,
        ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, CancellationToken cancellationToken) =>
        (await ExecuteAsync(idOrNumber, db, clock, questionnaire, cancellationToken)).ToHttp(http);

    public static async Task<Result<ChangeResponse>> ExecuteAsync(string idOrNumber, ChangeTrailDbContext db, Clock clock,
        RiskQuestionnaire questionnaire, CancellationToken cancellationToken)
    {
        var change = await db.ChangeRequests.AsNoTracking().ByIdOrNumber(idOrNumber).SingleOrDefaultAsync(cancellationToken);
        if (change is null)
            return new RecordNotFound($"Change request {idOrNumber}");
        return await ChangeView.BuildAsync(change, db, questionnaire, clock.UtcNow, cancellationToken);
    }
}
