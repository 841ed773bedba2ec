using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>Policy exceptions as the API shows them: people by name, sign-offs matched, status at this moment, and the changes citing each.</summary>
public static class PolicyExceptionView
{
    public static WaivableControlDto ControlOf(WaivableControl control) => new(control.Key, control.Clause, control.Text, control.GateCodes);

    public static async Task<IReadOnlyList<PolicyExceptionResponse>> BuildAsync(IReadOnlyList<PolicyException> exceptions, ChangeTrailDbContext db,
        DateTime now, CancellationToken cancellationToken)
    {
        var people = exceptions.SelectMany(e => e.Decisions.Select(d => d.ApproverId).Append(e.RequestedById))
            .Concat(exceptions.Select(e => e.RevokedById).OfType<Guid>()).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        PersonRef Person(Guid id) => new(id, names.GetValueOrDefault(id, "(unknown)"));
        var citedBy = await CitingChangesAsync(exceptions.Select(e => e.Id).ToList(), db, cancellationToken);

        return exceptions.Select(e =>
        {
            var filledBy = PolicySignOffs.Assignments(e.Decisions);
            return new PolicyExceptionResponse(e.Id, e.DisplayNumber, e.Title, ControlOf(e.Control), e.Description, e.RiskAssessment,
                e.CompensatingControls, e.ExpiresAt, e.StatusAt(now), e.IsInForceAt(now), Person(e.RequestedById), e.CreatedAt,
                PolicySignOffs.Required.Select((signOff, i) => new RequiredSignOffDto(signOff, PolicySignOffs.Describe(signOff),
                    filledBy[i] is { } by ? Person(by) : null)).ToList(),
                e.Decisions.OrderBy(d => d.At).Select(d => new SignOffDecisionDto(Person(d.ApproverId), d.Decision, d.Comment, d.Fillable, d.At,
                    d.Credential)).ToList(),
                e.DecidedAt, e.RevokedById is { } revoker ? Person(revoker) : null, e.RevokedAt, e.RevocationReason,
                citedBy[e.Id].ToList(), e.Version);
        }).ToList();
    }

    /// <summary>Which changes cite each exception. A change cites a handful at most, so the read is of the changes citing any.</summary>
    private static async Task<ILookup<Guid, string>> CitingChangesAsync(IReadOnlyList<Guid> ids, ChangeTrailDbContext db,
        CancellationToken cancellationToken)
    {
        var citing = await db.ChangeRequests.AsNoTracking().Where(c => c.Exceptions.Any(id => ids.Contains(id)))
            .OrderBy(c => c.Number).Select(c => new { c.Number, c.Exceptions }).ToListAsync(cancellationToken);
        return citing.SelectMany(c => c.Exceptions.Where(ids.Contains).Select(id => (id, Number: $"CR-{c.Number}")))
            .ToLookup(x => x.id, x => x.Number);
    }
}
