namespace ChangeTrail.Domain.Risk;

/// <summary>
/// The questionnaire a new installation starts with. Weights are chosen so that one clearly risky
/// answer in a dimension makes it High, and two moderate ones make it Medium.
/// </summary>
public static class DefaultRiskQuestionnaire
{
    private static RiskOption O(string key, string label, int weight) => new(key, label, weight);

    public static RiskQuestionnaire Instance { get; } = new(
        Version: 1,
        Questions:
        [
            new("accessControl", RiskDimension.Security,
                "Does the change alter authentication, authorisation, secrets or access control?",
                [O("no", "No", 0), O("yes", "Yes", 4)]),
            new("sensitiveData", RiskDimension.Security,
                "Does it read, write, move or expose personal, financial or other sensitive data?",
                [O("no", "No", 0), O("read", "Reads it", 1), O("write", "Writes, moves or exposes it", 3)]),
            new("networkExposure", RiskDimension.Security,
                "Does it change what is reachable from outside (endpoints, ports, firewall rules)?",
                [O("no", "No", 0), O("yes", "Yes", 2)]),
            new("downtime", RiskDimension.Availability,
                "How much downtime will users see while it is applied?",
                [O("none", "None", 0), O("brief", "Under 5 minutes", 2), O("extended", "5 minutes or more", 4)]),
            new("blastRadius", RiskDimension.Availability,
                "If it fails, how much of the service is affected?",
                [O("single", "One component, no users", 0), O("some", "Some users or services", 2), O("all", "All users or a core service", 4)]),
            new("rollbackTime", RiskDimension.Availability,
                "How long would rolling it back take?",
                [O("minutes", "Under 15 minutes", 0), O("hour", "Under an hour", 1), O("long", "Over an hour, or irreversible", 3)]),
            new("complexity", RiskDimension.Operations,
                "How many systems or manual steps does it involve?",
                [O("one", "One system, automated", 0), O("few", "A few systems or steps", 1), O("many", "Many systems or manual steps", 3)]),
            new("familiarity", RiskDimension.Operations,
                "Has the team made this kind of change here before?",
                [O("routine", "Routinely", 0), O("similar", "Something similar", 1), O("first", "First time", 2)]),
            new("dataMigration", RiskDimension.Operations,
                "Does it include a schema or data migration?",
                [O("no", "No", 0), O("reversible", "Yes, reversible", 1), O("irreversible", "Yes, irreversible", 4)]),
        ],
        Thresholds: new RiskThresholds(Medium: 2, High: 4));
}
