using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class SubmitTests
{
    private static readonly DateTime Now = Clock.Now;
    private readonly Team _team = new();

    [Fact]
    public void Submit_of_an_empty_draft_names_every_missing_required_field_at_once()
    {
        var change = _team.Draft(with: c => new ChangeContent("Only a title", null, null, null, null, null, null, null, null,
            [], new Dictionary<string, string>(), null, [], [], null, []));

        var error = change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<MissingRequiredFields>();

        error.Fields.ShouldBe(
        [
            "purpose", "scope", "impactAnalysis", "rollbackPlan", "testPlan", "testResults", "plannedStart", "plannedEnd",
            "services",
            .. Clock.Questionnaire.Questions.Select(q => $"riskAnswers.{q.Key}"),
        ]);
        error.Type.ShouldBe("missing-required-fields");
        change.State.ShouldBe(ChangeState.Draft);
        change.Version.ShouldBe(1);
    }

    [Theory]
    [InlineData("purpose")]
    [InlineData("scope")]
    [InlineData("impactAnalysis")]
    [InlineData("rollbackPlan")]
    [InlineData("testPlan")]
    [InlineData("testResults")]
    [InlineData("plannedStart")]
    [InlineData("plannedEnd")]
    [InlineData("services")]
    public void Submit_without_one_required_field_names_exactly_that_field(string field)
    {
        var change = _team.Draft(with: c => Without(c, field));

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<MissingRequiredFields>().Fields.ShouldBe([field]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Submit_treats_blank_text_as_missing(string blank)
    {
        var change = _team.Draft(with: c => c with { RollbackPlan = blank });

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<MissingRequiredFields>().Fields.ShouldBe(["rollbackPlan"]);
    }

    [Fact]
    public void Submit_names_each_unanswered_risk_question()
    {
        var answers = Answers.Low();
        answers.Remove("downtime");
        answers.Remove("dataMigration");
        var change = _team.Draft(with: c => c with { RiskAnswers = answers });

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<MissingRequiredFields>()
            .Fields.ShouldBe(["riskAnswers.downtime", "riskAnswers.dataMigration"]);
    }

    [Fact]
    public void Submit_freezes_the_risk_with_the_questionnaire_version_and_the_requirements()
    {
        var change = _team.Draft(with: c => c with { RiskAnswers = Answers.High() });

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldSucceed();

        change.Risk.Security.ShouldBe(RiskLevel.High);
        change.Risk.Availability.ShouldBe(RiskLevel.Low);
        change.Risk.Operations.ShouldBe(RiskLevel.Low);
        change.Risk.Overall.ShouldBe(RiskLevel.High);
        change.Risk.QuestionnaireVersion.ShouldBe(1);
        change.Risk.ShouldBe(new RiskAssessment(RiskLevel.High, RiskLevel.Low, RiskLevel.Low, 1));
        change.Approvals.Required.ShouldBe([ApprovalSlot.ChangeApprover, ApprovalSlot.CabMember]);
        change.Approvals.Outstanding().ShouldBe(change.Approvals.Required);
    }

    [Fact]
    public void Submit_does_not_require_an_implementer_commits_or_links()
    {
        var change = _team.Draft(with: c => c with { ImplementerId = null, Commits = [], Links = [] });

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Submitted);
    }

    private static ChangeContent Without(ChangeContent c, string field) => field switch
    {
        "purpose" => c with { Purpose = null },
        "scope" => c with { Scope = null },
        "impactAnalysis" => c with { ImpactAnalysis = null },
        "rollbackPlan" => c with { RollbackPlan = null },
        "testPlan" => c with { TestPlan = null },
        "testResults" => c with { TestResults = null },
        "plannedStart" => c with { PlannedStart = null },
        "plannedEnd" => c with { PlannedEnd = null },
        "services" => c with { Services = [] },
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, null),
    };
}
