using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Pipeline;

namespace ChangeTrail.Domain.Gate;

/// <summary>
/// The gate's conditions (ARCHITECTURE.md, "Gate"), in the order their reasons are listed. Policy workflows add theirs
/// here: freeze windows (done), Standard templates, cited exceptions.
/// </summary>
public static class GateConditions
{
    public static readonly IReadOnlyList<IGateCondition> All =
    [
        new ChangeMustExist(),
        new ServiceMustBeRegistered(),
        new TokenMustCoverEnvironment(),
        new ChangeMustBeApproved(),
        new MustBeInsideWindow(),
        new MustBeOutsideFreeze(),
        new ServiceMustBeInChange(),
        new CommitMustBeInChange(),
        new SuitesMustHavePassed(),
        new MustDeployToNonProductionFirst(),
        new DeployerMayImplement(),
    ];

    /// <summary>Every reason to deny, from every condition; none means allow.</summary>
    public static IReadOnlyList<GateReason> Evaluate(GateSnapshot snapshot) => All.SelectMany(c => c.Evaluate(snapshot)).ToList();
}
