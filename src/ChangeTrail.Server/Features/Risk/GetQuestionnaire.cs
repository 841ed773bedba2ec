using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Server.Auth;

namespace ChangeTrail.Server.Features.Risk;

/// <summary>GET /risk/questionnaire: the questions, options, weights, thresholds and version a CR's riskAnswers refer to.</summary>
public static class GetQuestionnaire
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/risk/questionnaire", (RiskQuestionnaire questionnaire) => TypedResults.Ok(ToResponse(questionnaire)))
            .RequireAccess(Scopes.ChangesRead).WithName(nameof(GetQuestionnaire)).WithTags("Change requests")
            .WithSummary("The risk questionnaire");

    public static QuestionnaireResponse ToResponse(RiskQuestionnaire q) => new(
        q.Version,
        q.Questions.Select(x => new RiskQuestionDto(x.Key, x.Dimension, x.Text,
            x.Options.Select(o => new RiskOptionDto(o.Key, o.Label, o.Weight)).ToList())).ToList(),
        new RiskThresholdsDto(q.Thresholds.Medium, q.Thresholds.High),
        "Each dimension sums the weights of its answers: Medium from the medium threshold, High from the high one. " +
        "Overall is the highest dimension. A change touching a regulated-data or security-control service is at least Medium on security.");
}
