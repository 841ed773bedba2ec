using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Services;
using ChangeTrail.Domain.Templates;

namespace ChangeTrail.Domain.Gate;

/// <summary>
/// Everything the gate's conditions look at, read once, so every condition judges the same moment: the question, the
/// change it names, the service and environment, the evidence and deployments of the commit, the freezes and exceptions, who asks and with which
/// scopes, and the policy settings.
/// </summary>
/// <param name="Evidence">Evidence of the question's commit, bound to this change or to no change.</param>
/// <param name="Deployments">Deployments of the question's service and commit, under any change.</param>
/// <param name="Freezes">The freeze windows in force.</param>
/// <param name="Exceptions">The approved policy exceptions; those the change cites may lift a condition.</param>
/// <param name="Template">A Standard change's template.</param>
public sealed record GateSnapshot(
    GateQuestion Question,
    ChangeRequest? Change,
    Service? Service,
    ServiceEnvironment? Environment,
    IReadOnlyList<TestEvidence> Evidence,
    IReadOnlyList<Deployment> Deployments,
    FreezeCalendar Freezes,
    ExceptionRegister Exceptions,
    Actor Asker,
    IReadOnlySet<string> Scopes,
    GatePolicy Policy,
    DateTime Now,
    ChangeTemplate? Template = null)
{
    /// <summary>Whether the environment is a production one. An environment the service does not have is judged as strictly as one.</summary>
    public bool IsProduction => Environment?.Production ?? true;
}

/// <summary>The gate's settings (<c>ChangeTrail:Gate</c>): which suites must have passed before production.</summary>
public sealed record GatePolicy(IReadOnlyList<EvidenceKind> RequiredSuites)
{
    /// <summary>Policy 3.4: unit, integration and security suites.</summary>
    public static readonly GatePolicy Default = new([EvidenceKind.Unit, EvidenceKind.Integration, EvidenceKind.Security]);
}
