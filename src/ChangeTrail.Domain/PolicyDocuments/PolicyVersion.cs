using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;

namespace ChangeTrail.Domain.PolicyDocuments;

public enum PolicyVersionState
{
    /// <summary>Proposed; awaiting the Head of Engineering's and the Security Officer's sign-offs.</summary>
    Proposed,
    /// <summary>Approved: the policy in force, until a newer version is.</summary>
    InForce,
    /// <summary>Was in force; a newer version replaced it.</summary>
    Superseded,
    /// <summary>One of the two refused it.</summary>
    Rejected,
}

/// <summary>
/// One version of the Change Management Policy's text, kept in the system (policy 6): Markdown, what changed and why, and
/// the sign-offs that put it in force — a Head of Engineering and a Security Officer, two distinct people, neither the
/// proposer (<see cref="PolicySignOffs"/>). Approving it supersedes the version in force.
/// </summary>
public sealed class PolicyVersion
{
    /// <summary>A policy is a few pages; a generous bound keeps a request from being a denial of service.</summary>
    public const int TextMaxLength = 200_000;
    public const int SummaryMaxLength = ChangeContent.TextMaxLength;

    private PolicyVersion() { }

    public Guid Id { get; private set; }

    /// <summary>1, 2, 3…: the order versions were proposed in.</summary>
    public int Number { get; private set; }
    public string Text { get; private set; } = "";

    /// <summary>What changed from the version in force, and why.</summary>
    public string Summary { get; private set; } = "";
    public Guid ProposedById { get; private set; }
    public DateTime ProposedAt { get; private set; }
    public PolicyVersionState State { get; private set; }
    public List<SignOffDecision> Decisions { get; private set; } = [];

    /// <summary>When it came into force (its second sign-off), or was rejected.</summary>
    public DateTime? DecidedAt { get; private set; }
    public DateTime? SupersededAt { get; private set; }
    public int Version { get; private set; }

    public string DisplayNumber => $"v{Number}";

    /// <summary>The policy owners propose its text: a Head of Engineering, a Security Officer, or an Admin setting it up.</summary>
    public static Result<PolicyVersion> Propose(Guid id, int number, string? text, string? summary, Actor proposer, DateTime now)
    {
        if (proposer.IsServiceAccount || !proposer.HasAny(Role.HeadOfEngineering, Role.SecurityOfficer, Role.Admin))
            return new RoleRequired("propose a version of the policy",
                [nameof(Role.HeadOfEngineering), nameof(Role.SecurityOfficer), nameof(Role.Admin)]);
        var errors = new ValidationErrors();
        errors.Require("text", text, TextMaxLength);
        errors.Require("summary", summary, SummaryMaxLength);
        if (errors.Any)
            return errors.ToResult().Error!;
        return new PolicyVersion
        {
            Id = id,
            Number = number,
            Text = text!,
            Summary = summary!.Trim(),
            ProposedById = proposer.Id,
            ProposedAt = now,
            State = PolicyVersionState.Proposed,
        };
    }

    public IReadOnlyList<PolicySignOff> OutstandingSignOffs() =>
        State == PolicyVersionState.Proposed ? PolicySignOffs.Outstanding(Decisions) : [];

    public Result CanDecide(Actor approver, ApprovalDecision decision, DateTime now) =>
        DecisionFor(approver, decision, null, now).Error is { } error ? error : Result.Success;

    /// <summary>
    /// Records a sign-off. One rejection ends the proposal; with both sign-offs it comes into force, and
    /// <paramref name="inForce"/>, the version in force until now, is superseded.
    /// </summary>
    public Result Decide(Actor approver, ApprovalDecision decision, string? comment, PolicyVersion? inForce, DateTime now)
    {
        // A proposal older than the version in force would undo it: it is proposed again, from the text in force.
        if (decision == ApprovalDecision.Approve && inForce is { } current && current.Number > Number)
            return new PolicyVersionOutdated(DisplayNumber, current.DisplayNumber);
        var decided = DecisionFor(approver, decision, comment, now);
        if (!decided.IsSuccess)
            return decided.Error!;
        Decisions.Add(decided.Value!);
        if (decision == ApprovalDecision.Reject)
        {
            State = PolicyVersionState.Rejected;
            DecidedAt = now;
        }
        else if (PolicySignOffs.Outstanding(Decisions).Count == 0)
        {
            State = PolicyVersionState.InForce;
            DecidedAt = now;
            inForce?.Supersede(now);
        }
        Version++;
        return Result.Success;
    }

    private Result<SignOffDecision> DecisionFor(Actor approver, ApprovalDecision decision, string? comment, DateTime now) =>
        State != PolicyVersionState.Proposed
            ? new PolicyVersionNotProposed(DisplayNumber, State)
            : PolicySignOffs.DecisionFor(approver, decision, comment, ProposedById, Decisions, $"policy {DisplayNumber}", "policy 6", now);

    private void Supersede(DateTime now)
    {
        State = PolicyVersionState.Superseded;
        SupersededAt = now;
        Version++;
    }
}

public sealed record PolicyVersionNotProposed(string Version, PolicyVersionState State)
    : DomainError(ErrorKind.Conflict, "invalid-transition", "Not allowed in this state",
        $"Policy {Version} is {State}; only a proposed version is decided on.");

public sealed record PolicyVersionOutdated(string Version, string InForce)
    : DomainError(ErrorKind.Conflict, "policy-version-outdated", "A newer version is in force",
        $"Policy {InForce}, newer than {Version}, came into force since {Version} was proposed; approving {Version} would undo it. " +
        $"Reject it, and propose its changes again from {InForce}.");
