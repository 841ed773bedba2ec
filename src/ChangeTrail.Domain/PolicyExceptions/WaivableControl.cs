using ChangeTrail.Domain.Gate.Conditions;

namespace ChangeTrail.Domain.PolicyExceptions;

/// <summary>
/// A control of the policy an approved exception may set aside (policy 5): its key (what an exception's
/// <c>policyClause</c> names), the clause it comes from, and exactly the gate conditions it lifts.
/// </summary>
public sealed record WaivableControl(string Key, string Clause, string Text, IReadOnlyList<string> GateCodes)
{
    public const int KeyMaxLength = 50;

    public static readonly WaivableControl FreezeWindow = new("freeze-window", "3.5",
        "Changes are deployed when the change calendar allows: none is submitted into, or deployed to production during, a freeze window of its services.",
        [MustBeOutsideFreeze.Code]);

    public static readonly WaivableControl ImplementationWindow = new("implementation-window", "3.2",
        "Production deployments happen inside the change's approved implementation timeline.",
        [MustBeInsideWindow.Code]);

    public static readonly WaivableControl AutomatedTests = new("automated-tests", "3.4",
        "Automated test suites (unit, integration, security) must be executed and passed.",
        [SuitesMustHavePassed.Missing, SuitesMustHavePassed.Failed]);

    public static readonly WaivableControl NonProductionTesting = new("non-production-testing", "3.4",
        "Changes must be tested in a non-production environment prior to deployment.",
        [MustDeployToNonProductionFirst.Code]);

    /// <summary>
    /// Every control an exception may waive. Approval (3.3), separation of duties and least privilege (3.7), and the link
    /// between a deployment and its approved change (3.8) are not here on purpose: an exception to them would make the change
    /// unauthorized, which is what the product exists to prevent. The way round them is an Emergency change, whose controls
    /// come afterwards (3.6).
    /// </summary>
    public static readonly IReadOnlyList<WaivableControl> All = [FreezeWindow, ImplementationWindow, AutomatedTests, NonProductionTesting];

    public static WaivableControl? Find(string? key) => All.FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.Ordinal));

    public bool Lifts(string gateCode) => GateCodes.Contains(gateCode, StringComparer.Ordinal);

    /// <summary>"policy 3.4, automated-tests".</summary>
    public string Describe() => $"policy {Clause}, {Key}";
}
