using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Risk;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class RiskQuestionnaireTests
{
    private static readonly RiskQuestionnaire Questionnaire = DefaultRiskQuestionnaire.Instance;

    private static RiskAssessment Assess(params (string Question, string Option)[] answers) =>
        Questionnaire.Assess(Answers.With(answers), touchesRegulatedDataOrSecurityControl: false);

    [Theory]
    [InlineData(0, RiskLevel.Low)]
    [InlineData(1, RiskLevel.Low)]
    [InlineData(2, RiskLevel.Medium)]
    [InlineData(3, RiskLevel.Medium)]
    [InlineData(4, RiskLevel.High)]
    [InlineData(11, RiskLevel.High)]
    public void Default_thresholds_make_2_Medium_and_4_High(int score, RiskLevel expected) =>
        Questionnaire.Thresholds.LevelOf(score).ShouldBe(expected);

    [Theory]
    [InlineData(new string[0], RiskLevel.Low)]
    [InlineData(new[] { "sensitiveData=read" }, RiskLevel.Low)]
    [InlineData(new[] { "networkExposure=yes" }, RiskLevel.Medium)]
    [InlineData(new[] { "sensitiveData=read", "networkExposure=yes" }, RiskLevel.Medium)]
    [InlineData(new[] { "sensitiveData=write" }, RiskLevel.Medium)]
    [InlineData(new[] { "accessControl=yes" }, RiskLevel.High)]
    [InlineData(new[] { "sensitiveData=write", "networkExposure=yes" }, RiskLevel.High)]
    public void Security_dimension_thresholds(string[] answers, RiskLevel expected)
    {
        var risk = Assess(Parse(answers));

        risk.Security.ShouldBe(expected);
        risk.Availability.ShouldBe(RiskLevel.Low);
        risk.Operations.ShouldBe(RiskLevel.Low);
    }

    [Theory]
    [InlineData(new[] { "rollbackTime=hour" }, RiskLevel.Low)]
    [InlineData(new[] { "downtime=brief" }, RiskLevel.Medium)]
    [InlineData(new[] { "blastRadius=some" }, RiskLevel.Medium)]
    [InlineData(new[] { "rollbackTime=long" }, RiskLevel.Medium)]
    [InlineData(new[] { "downtime=brief", "rollbackTime=hour" }, RiskLevel.Medium)]
    [InlineData(new[] { "downtime=brief", "blastRadius=some" }, RiskLevel.High)]
    [InlineData(new[] { "downtime=extended" }, RiskLevel.High)]
    [InlineData(new[] { "blastRadius=all" }, RiskLevel.High)]
    public void Availability_dimension_thresholds(string[] answers, RiskLevel expected)
    {
        var risk = Assess(Parse(answers));

        risk.Availability.ShouldBe(expected);
        risk.Security.ShouldBe(RiskLevel.Low);
        risk.Operations.ShouldBe(RiskLevel.Low);
    }

    [Theory]
    [InlineData(new[] { "complexity=few" }, RiskLevel.Low)]
    [InlineData(new[] { "dataMigration=reversible" }, RiskLevel.Low)]
    [InlineData(new[] { "complexity=few", "familiarity=similar" }, RiskLevel.Medium)]
    [InlineData(new[] { "familiarity=first" }, RiskLevel.Medium)]
    [InlineData(new[] { "complexity=many" }, RiskLevel.Medium)]
    [InlineData(new[] { "complexity=few", "familiarity=similar", "dataMigration=reversible" }, RiskLevel.Medium)]
    [InlineData(new[] { "complexity=many", "familiarity=similar" }, RiskLevel.High)]
    [InlineData(new[] { "dataMigration=irreversible" }, RiskLevel.High)]
    public void Operations_dimension_thresholds(string[] answers, RiskLevel expected)
    {
        var risk = Assess(Parse(answers));

        risk.Operations.ShouldBe(expected);
        risk.Security.ShouldBe(RiskLevel.Low);
        risk.Availability.ShouldBe(RiskLevel.Low);
    }

    [Theory]
    [InlineData(new string[0], RiskLevel.Low)]
    [InlineData(new[] { "familiarity=first" }, RiskLevel.Medium)]
    [InlineData(new[] { "familiarity=first", "blastRadius=all" }, RiskLevel.High)]
    [InlineData(new[] { "networkExposure=yes", "downtime=brief", "familiarity=first" }, RiskLevel.Medium)]
    [InlineData(new[] { "accessControl=yes", "downtime=brief" }, RiskLevel.High)]
    public void Overall_risk_is_the_highest_dimension(string[] answers, RiskLevel expected) =>
        Assess(Parse(answers)).Overall.ShouldBe(expected);

    [Fact]
    public void Regulated_or_security_control_raises_security_to_Medium_but_never_lowers_it()
    {
        Questionnaire.Assess(Answers.Low(), true).Security.ShouldBe(RiskLevel.Medium);
        Questionnaire.Assess(Answers.Low(), true).Overall.ShouldBe(RiskLevel.Medium);
        Questionnaire.Assess(Answers.High(), true).Security.ShouldBe(RiskLevel.High);
        Questionnaire.Assess(Answers.Low(), true).Availability.ShouldBe(RiskLevel.Low);
    }

    [Fact]
    public void Assess_counts_unanswered_questions_as_zero_and_records_the_version()
    {
        var risk = Questionnaire.Assess(new Dictionary<string, string>(), false);

        risk.ShouldBe(new RiskAssessment(RiskLevel.Low, RiskLevel.Low, RiskLevel.Low, Questionnaire.Version));
    }

    [Fact]
    public void Assess_uses_the_questionnaires_own_weights_and_thresholds()
    {
        var custom = new RiskQuestionnaire(7,
            [new RiskQuestion("q", RiskDimension.Operations, "?", [new RiskOption("a", "A", 5), new RiskOption("b", "B", 10)])],
            new RiskThresholds(Medium: 5, High: 10));

        custom.Assess(new Dictionary<string, string> { ["q"] = "a" }, false).Operations.ShouldBe(RiskLevel.Medium);
        custom.Assess(new Dictionary<string, string> { ["q"] = "b" }, false).Operations.ShouldBe(RiskLevel.High);
        custom.Assess(new Dictionary<string, string> { ["q"] = "b" }, false).QuestionnaireVersion.ShouldBe(7);
    }

    [Fact]
    public void Validate_accepts_known_questions_and_options()
    {
        var errors = new ValidationErrors();

        Questionnaire.Validate(Answers.High(), errors);

        errors.Any.ShouldBeFalse();
    }

    [Fact]
    public void Validate_names_unknown_questions_and_unknown_options_by_key()
    {
        var errors = new ValidationErrors();
        var answers = new Dictionary<string, string>
        {
            ["accessControl"] = "maybe",
            ["colourOfTheBikeshed"] = "blue",
            ["downtime"] = "brief",
        };

        Questionnaire.Validate(answers, errors);

        var failed = errors.ToResult().ShouldFailWith<ValidationFailed>();
        failed.Errors.Keys.Order(StringComparer.Ordinal).ShouldBe(["riskAnswers.accessControl", "riskAnswers.colourOfTheBikeshed"]);
        failed.Errors["riskAnswers.accessControl"].ShouldBe(["Answer with one of: no, yes."]);
        failed.Errors["riskAnswers.colourOfTheBikeshed"].ShouldBe(["There is no such risk question."]);
    }

    [Fact]
    public void Validate_uses_the_given_field_prefix()
    {
        var errors = new ValidationErrors();

        Questionnaire.Validate(new Dictionary<string, string> { ["x"] = "y" }, errors, "template.riskAnswers");

        errors.ToResult().ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["template.riskAnswers.x"]);
    }

    [Fact]
    public void Option_keys_are_case_sensitive()
    {
        var errors = new ValidationErrors();

        Questionnaire.Validate(new Dictionary<string, string> { ["accessControl"] = "Yes" }, errors);

        errors.Any.ShouldBeTrue();
    }

    [Fact]
    public void Unanswered_lists_the_questions_without_an_answer_in_questionnaire_order()
    {
        var answers = new Dictionary<string, string> { ["accessControl"] = "no", ["complexity"] = "one", ["unknown"] = "x" };

        Questionnaire.Unanswered(answers).ShouldBe(
            ["sensitiveData", "networkExposure", "downtime", "blastRadius", "rollbackTime", "familiarity", "dataMigration"]);
        Questionnaire.Unanswered(Answers.Low()).ShouldBeEmpty();
    }

    [Fact]
    public void Default_questionnaire_has_three_questions_per_dimension_with_unique_keys()
    {
        Questionnaire.Version.ShouldBe(1);
        Questionnaire.Questions.Select(q => q.Key).ShouldBeUnique();
        foreach (var dimension in Enum.GetValues<RiskDimension>())
            Questionnaire.Questions.Count(q => q.Dimension == dimension).ShouldBe(3);
        Questionnaire.Questions.ShouldAllBe(q => q.Options.Any(o => o.Weight == 0));
    }

    private static (string, string)[] Parse(string[] answers) =>
        answers.Select(a => a.Split('=')).Select(p => (p[0], p[1])).ToArray();
}
