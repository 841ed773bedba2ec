using ChangeTrail.Domain.Risk;

namespace ChangeTrail.Server.Web;

/// <summary>The API's field names in words a person reads on a page.</summary>
public static class FieldNames
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["type"] = "Type",
        ["title"] = "Title",
        ["purpose"] = "Purpose",
        ["scope"] = "Scope",
        ["impactAnalysis"] = "Impact analysis",
        ["rollbackPlan"] = "Rollback plan",
        ["testPlan"] = "Test plan",
        ["testResults"] = "Test results",
        ["plannedStart"] = "Planned start",
        ["plannedEnd"] = "Planned end",
        ["services"] = "Services",
        ["implementer"] = "Implementer",
        ["commits"] = "Commits",
        ["links"] = "Links",
        ["emergencyJustification"] = "Emergency justification",
        // The post-implementation review form on a change's page.
        ["rootCause"] = "Root cause",
        ["followUps"] = "Follow-up actions",
        // A Standard change template's own fields.
        ["name"] = "Name",
        ["description"] = "Description",
        ["environments"] = "Environments",
    };

    public static string Describe(string field, RiskQuestionnaire questionnaire)
    {
        if (field.StartsWith("riskAnswers.", StringComparison.Ordinal))
        {
            var key = field["riskAnswers.".Length..];
            return "Risk: " + (questionnaire.Questions.FirstOrDefault(q => q.Key == key)?.Text ?? key);
        }
        return Names.GetValueOrDefault(field, field);
    }
}
