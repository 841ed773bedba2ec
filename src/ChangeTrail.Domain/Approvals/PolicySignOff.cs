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
/// asked. Someone holding both roles fills one sign-off, never two. One rejection by either ends it.
/// </summary>
public static class PolicySignOffs
{
    public static readonly ApprovalRule<PolicySignOff> Rule = new(
        [PolicySignOff.HeadOfEngineering, PolicySignOff.SecurityOfficer], FillableBy, Describe, "policy 5");

    public static IReadOnlyList<PolicySignOff> Required => Rule.Required;

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

    /// <summary>For each required sign-off, who gives it (null when outstanding).</summary>
    public static IReadOnlyList<Guid?> Assignments(IReadOnlyList<SignOffDecision> decisions) => Rule.Assignments(Given(decisions));

    /// <summary>The sign-offs nobody gives yet.</summary>
    public static IReadOnlyList<PolicySignOff> Outstanding(IReadOnlyList<SignOffDecision> decisions) => Rule.Outstanding(Given(decisions));

    /// <summary>
    /// The decision <paramref name="approver"/> would add on <paramref name="what"/> (EX-3, policy v2), asked for by
    /// <paramref name="askedBy"/>, or the refusal citing <paramref name="clause"/> (policy 5 for an exception, 6 for a version).
    /// </summary>
    public static Result<SignOffDecision> DecisionFor(Actor approver, ApprovalDecision decision, string? comment, Guid askedBy,
        IReadOnlyList<SignOffDecision> decisions, string what, string clause, DateTime now)
    {
        var admitted = (Rule with { Clause = clause }).Admit(approver, decision, comment, askedBy, Given(decisions), what);
        return admitted.IsSuccess
            ? new SignOffDecision(approver.Id, decision, comment, admitted.Value!, now, approver.Credential)
            : admitted.Error!;
    }

    private static IEnumerable<GivenDecision<PolicySignOff>> Given(IEnumerable<SignOffDecision> decisions) =>
        decisions.Select(d => new GivenDecision<PolicySignOff>(d.ApproverId, d.Decision, d.Fillable));
}
