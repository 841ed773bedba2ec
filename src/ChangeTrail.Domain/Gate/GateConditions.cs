using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate;

/// <summary>
/// The gate's conditions (ARCHITECTURE.md, "Gate"), in the order their reasons are listed. Policy workflows add theirs
/// here: freeze windows, Standard templates. A policy exception the change cites lifts the reasons of exactly the
/// control it names while it is in force (<see cref="Judge"/>), and the answer lists them as waived, with the exception.
/// </summary>
public static class GateConditions
{
    public static readonly IReadOnlyList<IGateCondition> All =
    [
        new ChangeMustExist(),
        new ServiceMustBeRegistered(),
        new TokenMustCoverEnvironment(),
        new ChangeMustBeApproved(),
        new TemplateMustBeInForce(),
        new MustBeInsideWindow(),
        new MustBeOutsideFreeze(),
        new ServiceMustBeInChange(),
        new CommitMustBeInChange(),
        new SuitesMustHavePassed(),
        new MustDeployToNonProductionFirst(),
        new DeployerMayImplement(),
    ];

    /// <summary>Every reason to deny that no cited exception lifts; none means allow.</summary>
    public static IReadOnlyList<GateReason> Evaluate(GateSnapshot snapshot) => Judge(snapshot).Reasons;

    /// <summary>Every reason from every condition, split into those that deny and those a cited, in-force exception lifts.</summary>
    public static GateVerdict Judge(GateSnapshot snapshot)
    {
        var reasons = new List<GateReason>();
        var waived = new List<GateWaiver>();
        var cited = snapshot.Change?.Exceptions ?? [];
        foreach (var reason in All.SelectMany(c => c.Evaluate(snapshot)))
        {
            if (snapshot.Exceptions.Lifting(cited, reason.Code, snapshot.Now) is { } exception)
                waived.Add(new(reason.Code, $"{reason.Message} Lifted by {exception.Describe()}.", exception.DisplayNumber));
            else
                reasons.Add(reason);
        }
        return new(reasons, waived);
    }
}

/// <summary>The gate's verdict: the reasons that deny, and the reasons cited exceptions lifted.</summary>
public sealed record GateVerdict(IReadOnlyList<GateReason> Reasons, IReadOnlyList<GateWaiver> Waived);
