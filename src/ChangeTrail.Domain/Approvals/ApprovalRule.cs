using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.Approvals;

/// <summary>A decision already given, as an <see cref="ApprovalRule{TSlot}"/> counts it: who, which way, and the slots their roles filled then.</summary>
public sealed record GivenDecision<TSlot>(Guid ApproverId, ApprovalDecision Decision, IReadOnlyList<TSlot> Fillable);

/// <summary>
/// Who may approve a record that needs <see cref="Required"/> — a Standard template's approvals, an exception's or a policy
/// version's sign-offs. Distinct people fill distinct slots (matched as in <see cref="ApprovalMatching"/>), one person's several
/// roles count once, the person who asked never decides, nor does a pipeline identity, and an approval must fill a slot
/// nobody fills yet.
/// </summary>
/// <param name="Clause">The policy clause that keeps the asker from deciding: "policy 5", "policy 3.7".</param>
public sealed record ApprovalRule<TSlot>(
    IReadOnlyList<TSlot> Required,
    Func<IReadOnlySet<Role>, IReadOnlyList<TSlot>> FillableBy,
    Func<TSlot, string> Describe,
    string Clause)
{
    public const int CommentMaxLength = ChangeRequest.CommentMaxLength;

    /// <summary>The slots nobody fills yet, after matching every approval given to a slot it can fill.</summary>
    public IReadOnlyList<TSlot> Outstanding(IEnumerable<GivenDecision<TSlot>> decisions)
    {
        var approvers = decisions.Where(d => d.Decision == ApprovalDecision.Approve).Select(d => (d.ApproverId, d.Fillable)).ToList();
        var assignment = ApprovalMatching.Match(Required, approvers);
        return Required.Where((_, i) => assignment[i] is null).ToList();
    }

    /// <summary>For each required slot, who fills it (null when outstanding).</summary>
    public IReadOnlyList<Guid?> Assignments(IEnumerable<GivenDecision<TSlot>> decisions) =>
        ApprovalMatching.Match(Required, decisions.Where(d => d.Decision == ApprovalDecision.Approve).Select(d => (d.ApproverId, d.Fillable)).ToList());

    /// <summary>
    /// The slots <paramref name="approver"/>'s roles fill, when they may record <paramref name="decision"/> on <paramref name="what"/>
    /// (asked for by <paramref name="askedBy"/>) after <paramref name="decisions"/>; else the rule that refuses them.
    /// </summary>
    public Result<IReadOnlyList<TSlot>> Admit(Actor approver, ApprovalDecision decision, string? comment, Guid askedBy,
        IEnumerable<GivenDecision<TSlot>> decisions, string what)
    {
        var given = decisions.ToList();
        if (approver.IsServiceAccount)
            return new SignOffByServiceAccount(what);
        if (approver.Id == askedBy)
            return new SelfSignOffForbidden(what, Clause);
        var fillable = FillableBy(approver.Roles);
        if (!fillable.Intersect(Required).Any())
            return new SignOffRoleRequired(what, Required.Select(Describe).Distinct().ToList(), Clause);
        if (given.Any(d => d.ApproverId == approver.Id))
            return new AlreadySignedOff(what);
        if (ValidationFailed.TooLong("comment", comment, CommentMaxLength) is { } tooLong)
            return tooLong;
        // An approval must fill a slot nobody fills yet: a second Security Officer adds nothing the first did not.
        var outstanding = Outstanding(given);
        if (decision == ApprovalDecision.Approve &&
            Outstanding([.. given, new GivenDecision<TSlot>(approver.Id, decision, fillable)]).Count == outstanding.Count)
            return new SignOffNotRequired(what, outstanding.Select(Describe).ToList());
        return new Result<IReadOnlyList<TSlot>>(fillable, null);
    }
}

public sealed record SignOffByServiceAccount(string What)
    : DomainError(ErrorKind.Forbidden, "service-account-cannot-approve", "Service accounts cannot approve",
        $"A pipeline identity can never approve {What} (policy 3.7).");

public sealed record SelfSignOffForbidden(string What, string Clause)
    : DomainError(ErrorKind.Forbidden, "self-approval-forbidden", "You cannot approve what you asked for",
        $"You asked for {What}; the people who decide on it must be others ({Clause}).");

public sealed record SignOffRoleRequired(string What, IReadOnlyList<string> Deciders, string Clause)
    : DomainError(ErrorKind.Forbidden, "approver-role-required", "You cannot approve this",
        $"{What} needs a decision from {string.Join(" or ", Deciders)} ({Clause}); your roles give none of those.");

public sealed record AlreadySignedOff(string What)
    : DomainError(ErrorKind.Conflict, "already-approved", "You have already decided",
        $"You have already recorded your decision on {What}; one person counts once, whatever roles they hold.");

public sealed record SignOffNotRequired(string What, IReadOnlyList<string> Outstanding)
    : DomainError(ErrorKind.Conflict, "approval-not-required", "No outstanding approval you can give",
        $"The approval your roles can give on {What} is already given; it still awaits {string.Join(" and ", Outstanding)}.");
