using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>
/// Policy 5: an exception is documented, risk-assessed and approved by a Head of Engineering and a Security Officer — two
/// distinct people, neither the requestor — and ends on its own at its expiry. A change citing it has exactly its control
/// lifted. Clock.Now is Monday 2025-07-21 09:00 UTC; the team's changes plan Tuesday 09:00-11:00.
/// </summary>
public sealed class PolicyExceptionTests
{
    private static readonly DateTime Now = Clock.Now;
    private static readonly DateTime Expiry = Now.AddDays(7);
    private readonly Team _team = new();
    private readonly Actor _head = People.Person("head", Role.HeadOfEngineering);
    private readonly Actor _officer = People.Person("officer", Role.SecurityOfficer);
    private readonly Actor _both = People.Person("cto", Role.HeadOfEngineering, Role.SecurityOfficer);

    private Result<PolicyException> Ask(string? clause = "freeze-window", DateTime? expiresAt = null, Actor? requestor = null,
        string? title = "Ship the payments fix during the quarter-close freeze") =>
        PolicyException.Request(Guid.NewGuid(), 3, title, clause, "Deploy the v2 payments fix inside the freeze.",
            "Low: the fix is small and was canaried in staging.", "The on-call SRE watches the rollout; rollback is one click.",
            expiresAt ?? Expiry, requestor ?? _team.Requestor, Now);

    private PolicyException Approved(string clause = "freeze-window", DateTime? expiresAt = null)
    {
        var exception = Ask(clause, expiresAt).ShouldSucceed();
        exception.Decide(_head, ApprovalDecision.Approve, "ok", Now).ShouldSucceed();
        exception.Decide(_officer, ApprovalDecision.Approve, "ok", Now).ShouldSucceed();
        return exception;
    }

    [Fact]
    public void An_exception_documents_every_field_and_names_a_control_it_may_waive()
    {
        var refused = PolicyException.Request(Guid.NewGuid(), 1, " ", null, null, "", null, null, _team.Requestor, Now)
            .ShouldFailWith<ValidationFailed, PolicyException>();
        refused.Errors.Keys.ShouldBe(["title", "policyClause", "description", "riskAssessment", "compensatingControls", "expiresAt"], ignoreOrder: true);

        var approval = Ask(clause: "approval").ShouldFailWith<ValidationFailed, PolicyException>();
        approval.Errors["policyClause"][0].ShouldContain("never waived");
        approval.Errors["policyClause"][0].ShouldContain("freeze-window");

        var exception = Ask().ShouldSucceed();
        exception.DisplayNumber.ShouldBe("EX-3");
        exception.State.ShouldBe(PolicyExceptionState.Requested);
        exception.Control.ShouldBe(WaivableControl.FreezeWindow);
        exception.IsInForceAt(Now).ShouldBeFalse();
    }

    [Fact]
    public void The_separation_of_duties_controls_are_not_waivable()
    {
        var lifted = WaivableControl.All.SelectMany(c => c.GateCodes).ToList();
        lifted.ShouldNotContain(ChangeMustBeApproved.NotApproved);
        lifted.ShouldNotContain(DeployerMayImplement.SeparationOfDuties);
        lifted.ShouldNotContain(TokenMustCoverEnvironment.Code);
        lifted.ShouldNotContain(CommitMustBeInChange.Code);
        lifted.ShouldNotContain(ServiceMustBeInChange.Code);
    }

    [Fact]
    public void An_exception_ends_in_the_future_and_within_a_year()
    {
        Ask(expiresAt: Now).ShouldFailWith<ValidationFailed, PolicyException>().Errors.Keys.ShouldBe(["expiresAt"]);
        Ask(expiresAt: Now + PolicyException.MaxLifetime + TimeSpan.FromSeconds(1))
            .ShouldFailWith<ValidationFailed, PolicyException>().Errors["expiresAt"][0].ShouldContain("366 days");
        Ask(expiresAt: Now + PolicyException.MaxLifetime).ShouldSucceed();
    }

    [Fact]
    public void Only_a_requestor_asks_for_one_and_never_a_pipeline()
    {
        Ask(requestor: _head).ShouldFailWith<RoleRequired, PolicyException>();
        Ask(requestor: People.ServiceAccount("deploy", Role.Requestor)).ShouldFailWith<RoleRequired, PolicyException>();
    }

    [Fact]
    public void It_takes_effect_with_the_head_of_engineering_and_the_security_officer()
    {
        var exception = Ask().ShouldSucceed();

        exception.Decide(_head, ApprovalDecision.Approve, "acceptable", Now).ShouldSucceed();
        exception.State.ShouldBe(PolicyExceptionState.Requested);
        exception.OutstandingSignOffs().ShouldBe([PolicySignOff.SecurityOfficer]);
        exception.IsInForceAt(Now).ShouldBeFalse();

        exception.Decide(_officer, ApprovalDecision.Approve, "compensated", Now.AddHours(1)).ShouldSucceed();
        exception.State.ShouldBe(PolicyExceptionState.Approved);
        exception.DecidedAt.ShouldBe(Now.AddHours(1));
        exception.OutstandingSignOffs().ShouldBeEmpty();
        exception.IsInForceAt(Now.AddHours(1)).ShouldBeTrue();
        exception.Decisions.Count.ShouldBe(2);
    }

    [Fact]
    public void One_person_holding_both_roles_fills_one_sign_off_never_two()
    {
        var exception = Ask().ShouldSucceed();

        exception.Decide(_both, ApprovalDecision.Approve, null, Now).ShouldSucceed();
        exception.State.ShouldBe(PolicyExceptionState.Requested);
        exception.Decide(_both, ApprovalDecision.Approve, null, Now).ShouldFailWith<AlreadySignedOff>().Type.ShouldBe("already-approved");
        exception.OutstandingSignOffs().Count.ShouldBe(1);

        // Whichever role the second person holds, the first is matched to the other one.
        exception.Decide(_head, ApprovalDecision.Approve, null, Now).ShouldSucceed();
        exception.State.ShouldBe(PolicyExceptionState.Approved);
    }

    [Fact]
    public void A_second_security_officer_adds_nothing_the_first_did_not()
    {
        var exception = Ask().ShouldSucceed();
        exception.Decide(_officer, ApprovalDecision.Approve, null, Now).ShouldSucceed();

        var refused = exception.Decide(People.Person("officer2", Role.SecurityOfficer), ApprovalDecision.Approve, null, Now)
            .ShouldFailWith<SignOffNotRequired>();
        refused.Detail.ShouldContain("the Head of Engineering");
        exception.Decisions.Count.ShouldBe(1);
    }

    [Fact]
    public void The_requestor_a_pipeline_and_people_without_the_roles_cannot_sign_off()
    {
        var requestorWithBoth = People.Person("lead", Role.Requestor, Role.HeadOfEngineering, Role.SecurityOfficer);
        var own = Ask(requestor: requestorWithBoth).ShouldSucceed();
        own.Decide(requestorWithBoth, ApprovalDecision.Approve, null, Now).ShouldFailWith<SelfSignOffForbidden>().Type.ShouldBe("self-approval-forbidden");

        var exception = Ask().ShouldSucceed();
        exception.Decide(People.ServiceAccount("deploy", Role.Implementer), ApprovalDecision.Approve, null, Now).ShouldFailWith<SignOffByServiceAccount>();
        exception.Decide(People.Person("approver", Role.ChangeApprover, Role.CabMember), ApprovalDecision.Approve, null, Now)
            .ShouldFailWith<SignOffRoleRequired>();
        exception.Decisions.ShouldBeEmpty();
    }

    [Fact]
    public void One_rejection_ends_the_request()
    {
        var exception = Ask().ShouldSucceed();
        exception.Decide(_head, ApprovalDecision.Approve, null, Now).ShouldSucceed();
        exception.Decide(_officer, ApprovalDecision.Reject, "compensating controls too thin", Now).ShouldSucceed();

        exception.State.ShouldBe(PolicyExceptionState.Rejected);
        exception.IsInForceAt(Now).ShouldBeFalse();
        exception.Decide(_both, ApprovalDecision.Approve, null, Now).ShouldFailWith<ExceptionNotAwaitingDecision>();
    }

    [Fact]
    public void It_ends_on_its_own_at_its_expiry()
    {
        var exception = Approved();

        exception.IsInForceAt(Expiry.AddSeconds(-1)).ShouldBeTrue();
        exception.StatusAt(Expiry.AddSeconds(-1)).ShouldBe(PolicyExceptionStatus.Approved);
        exception.IsInForceAt(Expiry).ShouldBeFalse();
        exception.StatusAt(Expiry).ShouldBe(PolicyExceptionStatus.Expired);
    }

    [Fact]
    public void A_request_left_until_its_expiry_cannot_be_approved_any_more()
    {
        var exception = Ask().ShouldSucceed();
        exception.Decide(_head, ApprovalDecision.Approve, null, Expiry).ShouldFailWith<ExceptionExpired>();
        exception.StatusAt(Expiry).ShouldBe(PolicyExceptionStatus.Expired);
    }

    [Fact]
    public void The_requestor_withdraws_a_request_and_the_approvers_end_one_in_force()
    {
        var requested = Ask().ShouldSucceed();
        requested.Revoke(_team.Requestor, "", Now).ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["reason"]);
        requested.Revoke(_team.Requestor, "Not needed: the freeze moved.", Now).ShouldSucceed();
        requested.State.ShouldBe(PolicyExceptionState.Revoked);
        requested.Decide(_head, ApprovalDecision.Approve, null, Now).ShouldFailWith<ExceptionNotAwaitingDecision>();

        var approved = Approved();
        approved.Revoke(_team.Requestor, "done early", Now).ShouldFailWith<RoleRequired>();
        approved.Revoke(_officer, "The fix shipped; close the gap.", Now.AddHours(2)).ShouldSucceed();
        approved.IsInForceAt(Now.AddHours(3)).ShouldBeFalse();
        approved.RevokedById.ShouldBe(_officer.Id);
        approved.Revoke(_head, "again", Now.AddHours(3)).ShouldFailWith<ExceptionNotAwaitingDecision>();
    }

    [Fact]
    public void Submitting_into_a_freeze_is_allowed_with_a_cited_approved_exception_and_the_timeline_names_it()
    {
        var exception = Approved();
        var freeze = new FreezeCalendar([FreezeWindow.Create(Guid.NewGuid(), "Quarter close", Now, Now.AddDays(3), [], null,
            People.Person("admin", Role.Admin), Now).ShouldSucceed()]);
        var change = _team.Draft(with: c => c with { Exceptions = [exception.Id] });

        change.Submit(_team.Requestor, Clock.Questionnaire, freeze, new ExceptionRegister([exception]), Now).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Submitted);
        change.PendingEvents[^1].Detail.ShouldNotBeNull().ShouldContain("lifted by EX-3 (policy 3.5, freeze-window)");
    }

    [Fact]
    public void A_freeze_defined_after_submission_is_not_found_on_a_change_citing_an_exception_that_lifts_it()
    {
        var exception = Approved();
        var change = _team.Submitted(with: c => c with { Exceptions = [exception.Id] });
        var freeze = new FreezeCalendar([FreezeWindow.Create(Guid.NewGuid(), "Quarter close", Now, Now.AddDays(3), [], null,
            People.Person("admin", Role.Admin), Now).ShouldSucceed()]);

        change.FrozenBy(freeze, new ExceptionRegister([exception]), Now).ShouldBeNull();
        change.FrozenBy(freeze, ExceptionRegister.None, Now).ShouldNotBeNull("an exception no longer in force lifts nothing");
    }

    [Fact]
    public void An_exception_that_does_not_lift_the_freeze_through_the_window_leaves_the_submission_refused()
    {
        var freeze = new FreezeCalendar([FreezeWindow.Create(Guid.NewGuid(), "Quarter close", Now, Now.AddDays(3), [], null,
            People.Person("admin", Role.Admin), Now).ShouldSucceed()]);
        var requested = Ask().ShouldSucceed();
        var otherControl = Approved("automated-tests");
        var endsTooSoon = Approved(expiresAt: Now.AddDays(1).AddHours(1)); // the window ends at 11:00 the next day
        var notCited = Approved();

        foreach (var (cited, register) in new (PolicyException Cited, ExceptionRegister Register)[]
                 {
                     (requested, new([])), (otherControl, new([otherControl])), (endsTooSoon, new([endsTooSoon])),
                     (Approved(), new([notCited])),
                 })
        {
            var change = _team.Draft(with: c => c with { Exceptions = [cited.Id] });
            change.Submit(_team.Requestor, Clock.Questionnaire, freeze, register, Now).ShouldFailWith<InsideFreeze>();
        }
    }

    [Fact]
    public void Citing_an_exception_changes_what_approvals_are_bound_to_and_content_citing_none_hashes_as_before()
    {
        var content = _team.Content();
        content.Hash().ShouldNotBe((content with { Exceptions = [Guid.NewGuid()] }).Hash());

        // The canonical form from before exceptions existed: approvals given then must still match the content now.
        var before = System.Text.Json.JsonSerializer.Serialize(new
        {
            content.Title,
            content.Purpose,
            content.Scope,
            content.ImpactAnalysis,
            content.RollbackPlan,
            content.TestPlan,
            content.TestResults,
            PlannedStart = content.PlannedStart?.ToString("O"),
            PlannedEnd = content.PlannedEnd?.ToString("O"),
            Services = content.Services.Order().ToList(),
            RiskAnswers = content.RiskAnswers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new[] { a.Key, a.Value }).ToList(),
            content.ImplementerId,
            content.Commits,
            content.Links,
            content.EmergencyJustification,
        });
        content.Hash().ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(before))));
    }

    [Fact]
    public void A_change_cites_at_most_ten_exceptions_each_once()
    {
        var errors = new ValidationErrors();
        var id = Guid.NewGuid();
        (_team.Content() with { Exceptions = [id, id] }).Validate(errors);
        errors.ToResult().ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["exceptions"]);

        errors = new ValidationErrors();
        (_team.Content() with { Exceptions = Enumerable.Range(0, 11).Select(_ => Guid.NewGuid()).ToList() }).Validate(errors);
        errors.ToResult().ShouldFailWith<ValidationFailed>().Errors["exceptions"].ShouldBe(["At most 10 exceptions."]);
    }
}
