using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.PolicyDocuments;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Policy;

/// <summary>The policy as the API and the page show it: its versions, its reviews, and the review cycle at this moment.</summary>
public static class PolicyView
{
    public static async Task<PolicyResponse> BuildAsync(ChangeTrailDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var versions = await db.PolicyVersions.AsNoTracking().OrderByDescending(v => v.Number).ToListAsync(cancellationToken);
        var reviews = await db.PolicyReviews.AsNoTracking().OrderByDescending(r => r.ReviewedAt).ToListAsync(cancellationToken);
        var person = await PeopleAsync(db, versions, reviews.Select(r => r.ReviewedById), cancellationToken);
        var inForce = versions.FirstOrDefault(v => v.State == PolicyVersionState.InForce);
        var numbers = versions.ToDictionary(v => v.Id, v => v.DisplayNumber);
        var due = PolicyReviewCycle.NextReviewDue(reviews.FirstOrDefault()?.ReviewedAt, inForce?.DecidedAt);
        return new PolicyResponse(
            inForce is null ? null : VersionOf(inForce, person),
            versions.Select(v => new PolicyVersionSummary(v.Id, v.DisplayNumber, v.Summary, v.State, person(v.ProposedById), v.ProposedAt, v.DecidedAt)).ToList(),
            reviews.Select(r => new PolicyReviewDto(r.Id, person(r.ReviewedById), r.ReviewedAt, numbers.GetValueOrDefault(r.PolicyVersionId, "?"), r.Outcome,
                r.Notes)).ToList(),
            due,
            PolicyReviewCycle.StatusAt(inForce is null ? null : due, now));
    }

    public static async Task<PolicyVersionResponse> BuildAsync(PolicyVersion version, ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        VersionOf(version, await PeopleAsync(db, [version], [], cancellationToken));

    private static PolicyVersionResponse VersionOf(PolicyVersion v, Func<Guid, PersonRef> person)
    {
        var filledBy = PolicySignOffs.Assignments(v.Decisions);
        return new PolicyVersionResponse(v.Id, v.DisplayNumber, v.Text, PolicyMarkdown.ToSafeHtml(v.Text), v.Summary, person(v.ProposedById), v.ProposedAt,
            v.State,
            PolicySignOffs.Required.Select((signOff, i) => new RequiredSignOffDto(signOff, PolicySignOffs.Describe(signOff),
                filledBy[i] is { } by ? person(by) : null)).ToList(),
            v.Decisions.OrderBy(d => d.At).Select(d => new SignOffDecisionDto(person(d.ApproverId), d.Decision, d.Comment, d.Fillable, d.At, d.Credential))
                .ToList(),
            v.DecidedAt, v.SupersededAt, v.Version);
    }

    private static async Task<Func<Guid, PersonRef>> PeopleAsync(ChangeTrailDbContext db, IReadOnlyList<PolicyVersion> versions, IEnumerable<Guid> others,
        CancellationToken cancellationToken)
    {
        var ids = versions.SelectMany(v => v.Decisions.Select(d => d.ApproverId).Append(v.ProposedById)).Concat(others).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return id => new PersonRef(id, names.GetValueOrDefault(id, "(unknown)"));
    }

    /// <summary>A version by its number, "v3" or "3".</summary>
    public static Task<PolicyVersion?> FindAsync(IQueryable<PolicyVersion> versions, string number, CancellationToken cancellationToken) =>
        int.TryParse(number.StartsWith('v') || number.StartsWith('V') ? number[1..] : number, out var n)
            ? versions.SingleOrDefaultAsync(v => v.Number == n, cancellationToken)
            : Task.FromResult<PolicyVersion?>(null);
}
