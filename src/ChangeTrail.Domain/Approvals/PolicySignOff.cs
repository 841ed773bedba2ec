using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.Approvals;

/// <summary>
/// The two sign-offs policy clauses 5 and 6 ask of a deviation from the policy (an exception) or a new version of it: the
/// Head of Engineering's and the Security Officer's.
/// </summary>
public enum PolicySignOff
{
    HeadOfEngineering,
    SecurityOfficer,
}

/// <summary>
/// One person's decision on something that needs the policy's sign-offs. It records the sign-offs their roles could give at
/// that moment, so later role changes do not rewrite history, and the credential it came with.
/// </summary>
public sealed class SignOffDecision
{
    private SignOffDecision() { }

    public SignOffDecision(Guid approverId, ApprovalDecision decision, string? comment, IReadOnlyList<PolicySignOff> fillable, DateTime at,
        string? credential)
    {
        ApproverId = approverId;
        Decision = decision;
        Comment = comment;
        Fillable = fillable.ToList();
        At = at;
        Credential = credential;
    }

    public Guid ApproverId { get; private set; }
    public ApprovalDecision Decision { get; private set; }
    public string? Comment { get; private set; }
    public List<PolicySignOff> Fillable { get; private set; } = [];
    public DateTime At { get; private set; }
    public string? Credential { get; private set; }
}

/// <summary>
/// Dual control (policy 5 and 6): a Head of Engineering and a Security Officer, two distinct people, neither the person who
/// asked. Someone holding both roles fills one sign-off, never two — people are matched to sign-offs as a change's
/// approvers are to its slots (<see cref="ApprovalMatching"/>). One rejection by either ends it.
/// </summary>
public static class PolicySignOffs
{
    public static readonly IReadOnlyList<PolicySignOff> Required = [PolicySignOff.HeadOfEngineering, PolicySignOff.SecurityOfficer];

    public const int CommentMaxLength = ChangeRequest.CommentMaxLength;

    /// <summary>The sign-offs a person's roles let them give.</summary>
    public static IReadOnlyList<PolicySignOff> FillableBy(IReadOnlySet<Role> roles)
    {
        var signOffs = new List<PolicySignOff>();
        if (roles.Contains(Role.HeadOfEngineering))
            signOffs.Add(PolicySignOff.HeadOfEngineering);
        if (roles.Contains(Role.SecurityOfficer))
            signOffs.Add(PolicySignOff.SecurityOfficer);
        return signOffs;
    }

    public static string Describe(PolicySignOff signOff) => signOff switch
    {
        PolicySignOff.HeadOfEngineering => "the Head of Engineering",
        PolicySignOff.SecurityOfficer => "the Security Officer",
        _ => signOff.ToString(),
    };

    /// <summary>The sign-offs nobody gives yet, after matching every approval given to a sign-off it can fill.</summary>
    public static IReadOnlyList<PolicySignOff> Outstanding(IReadOnlyList<SignOffDecision> decisions)
    {
        var approvers = decisions.Where(d => d.Decision == ApprovalDecision.Approve)
            .Select(d => (d.ApproverId, (IReadOnlyList<PolicySignOff>)d.Fillable)).ToList();
        var assignment = ApprovalMatching.Match(Required, approvers);
        return Required.Where((_, i) => assignment[i] is null).ToList();
    }

    /// <summary>
    /// The decision <paramref name="approver"/> would add to <paramref name="decisions"/> on <paramref name="what"/>
    /// (e.g. "this exception"), which <paramref name="askedBy"/> asked for, or the rule that refuses it.
    /// </summary>
    public static Result<SignOffDecision> DecisionFor(Actor approver, ApprovalDecision decision, string? comment, Guid askedBy,
        IReadOnlyList<SignOffDecision> decisions, string what, DateTime now)
    {
        if (approver.IsServiceAccount)
            return new SignOffByServiceAccount(what);
        if (approver.Id == askedBy)
            return new SelfSignOffForbidden(what);
        var fillable = FillableBy(approver.Roles);
        if (fillable.Count == 0)
            return new SignOffRoleRequired(what);
        if (decisions.Any(d => d.ApproverId == approver.Id))
            return new AlreadySignedOff(what);
        if (ValidationFailed.TooLong("comment", comment, CommentMaxLength) is { } tooLong)
            return tooLong;
        var added = new SignOffDecision(approver.Id, decision, comment, fillable, now, approver.Credential);
        // An approval must fill a sign-off nobody gives yet: a second Security Officer adds nothing the first did not.
        if (decision == ApprovalDecision.Approve && Outstanding([.. decisions, added]).Count == Outstanding(decisions).Count)
            return new SignOffNotRequired(what, Outstanding(decisions).Select(Describe).ToList());
        return added;
    }
}

public sealed record SignOffByServiceAccount(string What)
    : DomainError(ErrorKind.Forbidden, "service-account-cannot-approve", "Service accounts cannot approve",
        $"A pipeline identity can never approve {What} (policy 3.7).");

public sealed record SelfSignOffForbidden(string What)
    : DomainError(ErrorKind.Forbidden, "self-approval-forbidden", "You cannot approve what you asked for",
        $"You asked for {What}; the Head of Engineering and the Security Officer who decide on it must be other people (policy 5).");

public sealed record SignOffRoleRequired(string What)
    : DomainError(ErrorKind.Forbidden, "approver-role-required", "You cannot approve this",
        $"Only a HeadOfEngineering or a SecurityOfficer decides on {What} (policy 5); you hold neither role.");

public sealed record AlreadySignedOff(string What)
    : DomainError(ErrorKind.Conflict, "already-approved", "You have already decided",
        $"You have already recorded your decision on {What}; one person counts once, whatever roles they hold.");

public sealed record SignOffNotRequired(string What, IReadOnlyList<string> Outstanding)
    : DomainError(ErrorKind.Conflict, "approval-not-required", "No outstanding sign-off you can give",
        $"The sign-off your roles can give on {What} is already given; it still awaits {string.Join(" and ", Outstanding)}.");
