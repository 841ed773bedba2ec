using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class EditTests
{
    private static readonly DateTime Now = Clock.Now;
    private static readonly DateTime Later = Clock.Now.AddHours(2);
    private readonly Team _team = new();

    private static Result Edit(ChangeRequest change, Actor actor, ChangeContent content, ServiceProfile? service = null) =>
        change.Edit(actor, change.Type, content, [service ?? ServiceProfiles.Ordinary], Clock.Questionnaire, Later);

    private static ChangeContent Edited(ChangeRequest change) => change.Content with { RollbackPlan = "Flip the feature flag off." };

    [Fact]
    public void Edit_after_submit_returns_to_Draft_and_voids_the_approvals()
    {
        var change = _team.Submitted(ServiceProfiles.Regulated);
        change.Decide(_team.Approver, ApprovalDecision.Approve, null, Clock.Questionnaire, Now).ShouldSucceed();
        var version = change.Version;

        Edit(change, _team.Requestor, Edited(change), ServiceProfiles.Regulated).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Draft);
        change.SubmittedAt.ShouldBeNull();
        change.RollbackPlan.ShouldBe("Flip the feature flag off.");
        change.Version.ShouldBe(version + 1);
        var approval = change.Approvals.Decisions.ShouldHaveSingleItem();
        approval.VoidedAt.ShouldBe(Later);
        approval.IsActive.ShouldBeFalse();
        change.Approvals.Active.ShouldBeEmpty();
        change.PendingEvents[^1].Action.ShouldBe("edited");
        change.PendingEvents[^1].Detail.ShouldBe("1 approval(s) voided by the edit");
    }

    [Fact]
    public void Edit_of_an_Approved_change_returns_to_Draft_and_voids_the_approvals()
    {
        var change = _team.InState(ChangeState.Approved);
        change.ApprovedAt.ShouldNotBeNull();

        Edit(change, _team.Requestor, Edited(change)).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Draft);
        change.ApprovedAt.ShouldBeNull();
        change.Approvals.Decisions.ShouldAllBe(a => !a.IsActive && a.VoidedAt == Later);
    }

    [Fact]
    public void After_an_edit_the_change_needs_every_approval_anew_and_the_earlier_approver_may_give_it_again()
    {
        var change = _team.InState(ChangeState.Approved);
        Edit(change, _team.Requestor, Edited(change)).ShouldSucceed();

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Later).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Submitted);
        change.Approvals.Outstanding().ShouldBe(change.Approvals.Required);

        change.Decide(_team.Approver, ApprovalDecision.Approve, null, Clock.Questionnaire, Later).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Approved);
        change.Approvals.Active.ShouldHaveSingleItem().ContentHash.ShouldBe(change.ContentHash);
        change.Approvals.Decisions.Count.ShouldBe(2);
    }

    [Fact]
    public void Edit_of_a_Draft_stays_Draft_and_bumps_the_version()
    {
        var change = _team.Draft();

        Edit(change, _team.Requestor, Edited(change)).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Draft);
        change.Version.ShouldBe(2);
        change.UpdatedAt.ShouldBe(Later);
        change.PendingEvents[^1].Detail.ShouldBeNull();
    }

    [Theory]
    [InlineData(ChangeState.Draft)]
    [InlineData(ChangeState.Submitted)]
    [InlineData(ChangeState.Approved)]
    public void Edit_with_identical_content_changes_nothing(ChangeState state)
    {
        var change = _team.InState(state);
        var version = change.Version;
        var events = change.PendingEvents.Count;
        var approvals = change.Approvals.Active.Count();

        Edit(change, _team.Requestor, change.Content).ShouldSucceed();

        change.State.ShouldBe(state);
        change.Version.ShouldBe(version);
        change.PendingEvents.Count.ShouldBe(events);
        change.Approvals.Active.Count().ShouldBe(approvals);
    }

    [Fact]
    public void Edit_with_the_same_content_in_another_service_order_or_answer_order_changes_nothing()
    {
        var content = _team.Content() with { Services = [ServiceProfiles.Ordinary.Id, ServiceProfiles.SecurityControl.Id] };
        var change = ChangeRequest.Create(Guid.NewGuid(), 3, ChangeType.Normal, content, _team.Requestor,
            [ServiceProfiles.Ordinary, ServiceProfiles.SecurityControl], Clock.Questionnaire, Now).ShouldSucceed();
        var reordered = content with
        {
            Services = [ServiceProfiles.SecurityControl.Id, ServiceProfiles.Ordinary.Id],
            RiskAnswers = Answers.Low().Reverse().ToDictionary(),
        };

        change.Edit(_team.Requestor, ChangeType.Normal, reordered, [ServiceProfiles.SecurityControl, ServiceProfiles.Ordinary],
            Clock.Questionnaire, Later).ShouldSucceed();

        change.Version.ShouldBe(1);
    }

    [Fact]
    public void Edit_with_the_content_the_change_was_created_from_changes_nothing_even_when_its_title_had_surrounding_spaces()
    {
        // Create trims the title before hashing; the same request sent again must not count as an edit and void approvals.
        var content = _team.Content() with { Title = " Upgrade the payments API " };
        var change = ChangeRequest.Create(Guid.NewGuid(), 4, ChangeType.Normal, content, _team.Requestor,
            [ServiceProfiles.Ordinary], Clock.Questionnaire, Now).ShouldSucceed();
        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldSucceed();
        change.Decide(_team.Approver, ApprovalDecision.Approve, null, Clock.Questionnaire, Now).ShouldSucceed();
        var version = change.Version;

        Edit(change, _team.Requestor, content).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Approved);
        change.Version.ShouldBe(version);
        change.Approvals.Active.ShouldHaveSingleItem();
    }

    [Fact]
    public void Edit_cannot_change_the_type()
    {
        var change = _team.Submitted();

        var error = change.Edit(_team.Requestor, ChangeType.Emergency, Edited(change), [ServiceProfiles.Ordinary], Clock.Questionnaire, Later)
            .ShouldFailWith<ValidationFailed>();

        error.Errors.Keys.ShouldBe(["type"]);
        change.State.ShouldBe(ChangeState.Submitted);
        change.Type.ShouldBe(ChangeType.Normal);
    }

    [Fact]
    public void Only_the_requestor_edits()
    {
        var change = _team.Submitted();
        var version = change.Version;

        Edit(change, People.Person("colleague", Role.Requestor), Edited(change)).ShouldFailWith<NotTheRequestor>();
        Edit(change, _team.Approver, Edited(change)).ShouldFailWith<RoleRequired>().Roles.ShouldBe([nameof(Role.Requestor)]);
        Edit(change, _team.Implementer, Edited(change)).ShouldFailWith<RoleRequired>();

        change.State.ShouldBe(ChangeState.Submitted);
        change.Version.ShouldBe(version);
        change.RollbackPlan.ShouldNotBe("Flip the feature flag off.");
    }

    [Fact]
    public void Edit_reassesses_the_risk_from_the_new_answers_and_services()
    {
        var change = _team.Draft();
        change.Risk.Overall.ShouldBe(RiskLevel.Low);

        Edit(change, _team.Requestor, change.Content with { RiskAnswers = Answers.Medium() }).ShouldSucceed();
        change.Risk.Availability.ShouldBe(RiskLevel.Medium);
        change.Risk.Overall.ShouldBe(RiskLevel.Medium);

        Edit(change, _team.Requestor, change.Content with { Services = [ServiceProfiles.SecurityControl.Id] }, ServiceProfiles.SecurityControl)
            .ShouldSucceed();
        change.Risk.TouchesRegulatedDataOrSecurityControl.ShouldBeTrue();
        change.Risk.Security.ShouldBe(RiskLevel.Medium);
    }

    [Fact]
    public void Edit_updates_the_content_hash()
    {
        var change = _team.Draft();
        var before = change.ContentHash;

        Edit(change, _team.Requestor, Edited(change)).ShouldSucceed();

        change.ContentHash.ShouldNotBe(before);
        change.ContentHash.ShouldBe(change.Content.Hash());
    }
}
