using ChangeTrail.Contracts;
using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>Builds the API's view of a change request: the CR with names resolved, approvals matched to slots, and its timeline.</summary>
public static class ChangeView
{
    public static async Task<ChangeResponse> BuildAsync(ChangeRequest change, ChangeTrailDbContext db, RiskQuestionnaire questionnaire,
        DateTime now, CancellationToken cancellationToken)
    {
        var timeline = await db.ChangeEvents.AsNoTracking()
            .Where(e => e.ChangeRequestId == change.Id)
            .OrderBy(e => e.Version)
            .ToListAsync(cancellationToken);
        var services = await db.Services.AsNoTracking().Where(s => change.Services.Contains(s.Id)).ToListAsync(cancellationToken);

        var people = new HashSet<Guid> { change.RequestorId };
        if (change.ImplementerId is { } implementer) people.Add(implementer);
        if (change.ReviewedById is { } reviewer) people.Add(reviewer);
        if (change.LegalHold is { } held) people.Add(held.PlacedById);
        people.UnionWith(change.Approvals.Decisions.Select(a => a.ApproverId));
        people.UnionWith(timeline.Select(e => e.ActorId));
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        PersonRef Person(Guid id) => new(id, names.GetValueOrDefault(id, "(unknown)"));

        var pipeline = await PipelineView.BuildAsync(change, db, cancellationToken);
        var slots = change.Approvals.SlotAssignments();
        return new ChangeResponse(
            change.Id,
            change.DisplayNumber,
            change.Type,
            change.State,
            change.Title,
            change.Purpose,
            change.Scope,
            change.ImpactAnalysis,
            change.RollbackPlan,
            change.TestPlan,
            change.TestResults,
            change.PlannedStart,
            change.PlannedEnd,
            change.Services.Select(id => services.FirstOrDefault(s => s.Id == id))
                .OfType<Domain.Services.Service>()
                .Select(s => new ServiceRef(s.Id, s.Name, s.RegulatedData, s.SecurityControl)).ToList(),
            change.RiskAnswers,
            RiskOf(change),
            Person(change.RequestorId),
            change.ImplementerId is { } impl ? Person(impl) : null,
            change.Commits.Select(c => new CommitDto(c.Sha, c.AuthorEmail)).ToList(),
            change.Links,
            change.EmergencyJustification,
            change.Content.MissingRequiredFields(questionnaire),
            change.Approvals.Required.Select((slot, i) => new RequiredApprovalDto(slot, ApprovalSlots.Describe(slot),
                slots[i] is { } by ? Person(by) : null)).ToList(),
            change.Approvals.Decisions.OrderBy(a => a.At).Select(a => new ApprovalDto(a.Id, Person(a.ApproverId), a.Decision, a.Comment, a.At,
                !a.IsActive, a.VoidedAt, a.Credential)).ToList(),
            change.ContentHash,
            change.Version,
            change.CreatedAt,
            change.UpdatedAt,
            change.SubmittedAt,
            change.ApprovedAt,
            change.ImplementationStartedAt,
            change.ImplementedAt,
            change.VerifiedAt,
            change.VerificationNotes,
            change.ClosedAt,
            change.CancellationReason,
            change.DocumentationDueAt,
            change.IsDocumentationOverdue(now),
            change.IsRejectedRetrospectively,
            change.ReviewedById is { } r
                ? new ReviewDto(Person(r), change.ReviewedAt!.Value, change.ReviewNotes, change.ReviewCredential, change.ReviewOutcome,
                    change.ReviewRootCause, change.ReviewFollowUps)
                : null,
            change.LegalHold is { } hold ? new LegalHoldDto(hold.Reason, Person(hold.PlacedById), hold.PlacedAt) : null,
            timeline.Select(e => new TimelineEntryDto(e.At, Person(e.ActorId), e.Action, e.Detail)).ToList(),
            pipeline.Evidence,
            pipeline.Deployments,
            pipeline.GateDecisions,
            change.VerificationEvidenceId,
            await CitedExceptionsAsync(change, db, now, cancellationToken),
            change.ReviewDueAt,
            change.DocumentedAt,
            change.DeadlineFlags(now),
            await TemplateNameAsync(change, db, cancellationToken));
    }

    /// <summary>The name of the template a Standard change was made from; null for any other change.</summary>
    private static async Task<string?> TemplateNameAsync(ChangeRequest change, ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        change.TemplateId is { } id
            ? await db.ChangeTemplates.AsNoTracking().Where(t => t.Id == id).Select(t => t.Name).SingleOrDefaultAsync(cancellationToken)
            : null;

    private static async Task<IReadOnlyList<CitedExceptionDto>> CitedExceptionsAsync(ChangeRequest change, ChangeTrailDbContext db, DateTime now,
        CancellationToken cancellationToken)
    {
        if (change.Exceptions.Count == 0)
            return [];
        var cited = await db.PolicyExceptions.AsNoTracking().Where(e => change.Exceptions.Contains(e.Id)).ToListAsync(cancellationToken);
        return cited.OrderBy(e => e.Number)
            .Select(e => new CitedExceptionDto(e.Id, e.DisplayNumber, e.Title, e.PolicyClause, e.StatusAt(now), e.ExpiresAt)).ToList();
    }

    public static RiskDto RiskOf(ChangeRequest change) =>
        new(change.Risk.Security, change.Risk.Availability, change.Risk.Operations, change.Risk.Overall, change.Risk.QuestionnaireVersion);

    /// <summary>Accepts the id (GUID) or the number, as "CR-12" or "12".</summary>
    public static IQueryable<ChangeRequest> ByIdOrNumber(this IQueryable<ChangeRequest> changes, string idOrNumber) =>
        RecordKey.Parse(idOrNumber) switch
        {
            { Id: { } id } => changes.Where(c => c.Id == id),
            { Number: { } number } => changes.Where(c => c.Number == number),
            _ => changes.Where(_ => false),
        };
}

/// <summary>
/// How a caller names a numbered record: its id (a GUID), or its number with or without its prefix ("CR-12" or "12" for a
/// change, "EX-3" or "3" for a policy exception); neither when it names none.
/// </summary>
public readonly record struct RecordKey(Guid? Id, long? Number)
{
    public const string ChangePrefix = "CR-";
    public const string ExceptionPrefix = "EX-";

    public static RecordKey Parse(string idOrNumber, string prefix = ChangePrefix)
    {
        if (Guid.TryParse(idOrNumber, out var id))
            return new(id, null);
        var digits = idOrNumber.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? idOrNumber[prefix.Length..] : idOrNumber;
        return long.TryParse(digits, out var number) ? new(null, number) : default;
    }
}
