using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Services;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class LifecycleTests
{
    private static readonly DateTime Now = Clock.Now;
    private readonly Team _team = new();

    [Fact]
    public void Create_starts_a_draft_with_the_requestor_and_version_1()
    {
        var change = _team.Draft();

        change.State.ShouldBe(ChangeState.Draft);
        change.Type.ShouldBe(ChangeType.Normal);
        change.RequestorId.ShouldBe(_team.Requestor.Id);
        change.DisplayNumber.ShouldBe("CR-1");
        change.CreatedAt.ShouldBe(Now);
        change.Version.ShouldBe(1);
        change.ContentHash.ShouldBe(change.Content.Hash());
        change.PendingEvents.Select(e => e.Action).ShouldBe(["created"]);
    }

    [Fact]
    public void Create_without_the_Requestor_role_is_refused()
    {
        var result = ChangeRequest.Create(Guid.NewGuid(), 1, ChangeType.Normal, _team.Content(), _team.Approver,
            [ServiceProfiles.Ordinary], Clock.Questionnaire, Now);

        result.ShouldFailWith<RoleRequired, ChangeRequest>().Roles.ShouldBe([nameof(Role.Requestor)]);
    }

    [Fact]
    public void Create_of_a_Standard_change_is_refused_because_it_comes_from_a_template()
    {
        var result = ChangeRequest.Create(Guid.NewGuid(), 1, ChangeType.Standard, _team.Content(), _team.Requestor,
            [ServiceProfiles.Ordinary], Clock.Questionnaire, Now);

        result.ShouldFailWith<ValidationFailed, ChangeRequest>().Errors.Keys.ShouldBe(["type"]);
    }

    [Fact]
    public void Create_trims_the_title_and_makes_it_searchable()
    {
        var change = _team.Draft(with: c => c with { Title = "  Rotate the TLS keys  " });

        change.Title.ShouldBe("Rotate the TLS keys");
        change.SearchText.ShouldContain("cr-1 rotate the tls keys");
    }

    [Fact]
    public void Normal_change_goes_Draft_Submitted_Approved_Implementing_Implemented_Verified_Closed()
    {
        var change = _team.Draft();

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now.AddMinutes(1)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Submitted);
        change.SubmittedAt.ShouldBe(Now.AddMinutes(1));

        change.Decide(_team.Approver, ApprovalDecision.Approve, "ok", Clock.Questionnaire, Now.AddMinutes(2)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Approved);
        change.ApprovedAt.ShouldBe(Now.AddMinutes(2));

        change.Start(_team.Implementer, Now.AddMinutes(3)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implementing);
        change.ImplementationStartedAt.ShouldBe(Now.AddMinutes(3));
        change.DocumentationDueAt.ShouldBeNull();

        change.Complete(_team.Implementer, Now.AddMinutes(4)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Implemented);
        change.ImplementedAt.ShouldBe(Now.AddMinutes(4));

        change.Verify(_team.Implementer, VerificationOutcome.Success, "Canary ok", Now.AddMinutes(5)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Verified);
        change.VerifiedAt.ShouldBe(Now.AddMinutes(5));
        change.VerificationNotes.ShouldBe("Canary ok");

        change.Close(_team.Requestor, Clock.Questionnaire, Now.AddMinutes(6)).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Closed);
        change.ClosedAt.ShouldBe(Now.AddMinutes(6));
        change.UpdatedAt.ShouldBe(Now.AddMinutes(6));
    }

    [Fact]
    public void Failed_verification_goes_Failed_then_RolledBack_then_Closed()
    {
        var change = _team.InState(ChangeState.Implemented);

        change.Verify(_team.Implementer, VerificationOutcome.Failed, "Error rate doubled", Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Failed);
        change.VerificationNotes.ShouldBe("Error rate doubled");

        change.RollBack(_team.Implementer, "v1.9 redeployed", Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.RolledBack);

        change.Close(_team.Implementer, Clock.Questionnaire, Now).ShouldSucceed();
        change.State.ShouldBe(ChangeState.Closed);
    }

    [Fact]
    public void One_rejection_ends_the_change_as_Rejected()
    {
        var change = _team.Submitted(ServiceProfiles.Regulated);
        change.Decide(_team.Approver, ApprovalDecision.Approve, null, Clock.Questionnaire, Now).ShouldSucceed();

        change.Decide(_team.Security, ApprovalDecision.Reject, "Leaks card numbers", Clock.Questionnaire, Now).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Rejected);
        change.ApprovedAt.ShouldBeNull();
        change.Approvals.Decisions.Select(a => a.Decision).ShouldBe([ApprovalDecision.Approve, ApprovalDecision.Reject]);
    }

    [Theory]
    [InlineData(ChangeState.Draft)]
    [InlineData(ChangeState.Submitted)]
    [InlineData(ChangeState.Approved)]
    public void Cancel_by_the_requestor_before_implementation_ends_the_change(ChangeState state)
    {
        var change = _team.InState(state);

        change.Cancel(_team.Requestor, "Superseded by CR-7", Now).ShouldSucceed();

        change.State.ShouldBe(ChangeState.Cancelled);
        change.CancellationReason.ShouldBe("Superseded by CR-7");
    }

    [Theory]
    [InlineData(ChangeState.Implementing)]
    [InlineData(ChangeState.Implemented)]
    [InlineData(ChangeState.Verified)]
    [InlineData(ChangeState.Closed)]
    [InlineData(ChangeState.Rejected)]
    [InlineData(ChangeState.Cancelled)]
    [InlineData(ChangeState.Failed)]
    [InlineData(ChangeState.RolledBack)]
    public void Cancel_after_approval_stage_is_refused_as_InvalidTransition(ChangeState state)
    {
        var change = _team.InState(state);

        change.Cancel(_team.Requestor, null, Now).ShouldFailWith<InvalidTransition>().State.ShouldBe(state);

        change.State.ShouldBe(state);
    }

    [Fact]
    public void Cancel_by_someone_else_is_refused()
    {
        var change = _team.Draft();

        change.Cancel(People.Person("colleague", Role.Requestor), null, Now).ShouldFailWith<NotTheRequestor>();
        change.Cancel(_team.Approver, null, Now).ShouldFailWith<RoleRequired>();
    }

    [Fact]
    public void Submit_by_someone_else_is_refused()
    {
        var change = _team.Draft();

        change.Submit(People.Person("colleague", Role.Requestor), Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<NotTheRequestor>();
        change.Submit(_team.Implementer, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<RoleRequired>();
        change.State.ShouldBe(ChangeState.Draft);
    }

    [Fact]
    public void Complete_Verify_and_RollBack_by_another_implementer_are_refused()
    {
        var other = People.Person("other", Role.Implementer);
        var implementing = _team.InState(ChangeState.Implementing);
        var implemented = _team.InState(ChangeState.Implemented);
        var failed = _team.InState(ChangeState.Failed);

        implementing.Complete(other, Now).ShouldFailWith<NotTheImplementer>();
        implemented.Verify(other, VerificationOutcome.Success, null, Now).ShouldFailWith<NotTheImplementer>();
        failed.RollBack(other, null, Now).ShouldFailWith<NotTheImplementer>();
    }

    [Fact]
    public void Close_by_someone_other_than_requestor_or_implementer_is_refused()
    {
        var change = _team.InState(ChangeState.Verified);

        change.Close(People.Person("colleague", Role.Requestor, Role.Implementer), Clock.Questionnaire, Now).ShouldFailWith<NotTheRequestor>();
        change.Close(_team.Approver, Clock.Questionnaire, Now).ShouldFailWith<RoleRequired>()
            .Roles.ShouldBe([nameof(Role.Requestor), nameof(Role.Implementer)]);
        change.State.ShouldBe(ChangeState.Verified);
    }

    [Fact]
    public void Whoever_no_longer_holds_the_role_they_acted_in_can_no_longer_act_as_a_former_Requestor_now_only_an_Auditor_is_read_only()
    {
        // The same people as the team's requestor and implementer, after an Admin left them only the Auditor role.
        var formerRequestor = _team.Requestor with { Roles = new HashSet<Role> { Role.Auditor } };
        var formerImplementer = _team.Implementer with { Roles = new HashSet<Role> { Role.Auditor } };

        _team.Draft().Submit(formerRequestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldFailWith<RoleRequired>().Roles.ShouldBe([nameof(Role.Requestor)]);
        _team.Submitted().Cancel(formerRequestor, null, Now).ShouldFailWith<RoleRequired>();
        _team.Submitted().CanEdit(formerRequestor).ShouldFailWith<RoleRequired>();
        _team.InState(ChangeState.Implementing).Complete(formerImplementer, Now).ShouldFailWith<RoleRequired>()
            .Roles.ShouldBe([nameof(Role.Implementer)]);
        _team.InState(ChangeState.Implemented).Verify(formerImplementer, VerificationOutcome.Success, null, Now).ShouldFailWith<RoleRequired>();
        _team.InState(ChangeState.Failed).RollBack(formerImplementer, null, Now).ShouldFailWith<RoleRequired>();
        var verified = _team.InState(ChangeState.Verified);
        verified.Close(formerRequestor, Clock.Questionnaire, Now).ShouldFailWith<RoleRequired>();
        verified.Close(formerImplementer, Clock.Questionnaire, Now).ShouldFailWith<RoleRequired>();
        verified.State.ShouldBe(ChangeState.Verified);
        // A requestor who became only an Implementer (not this change's) does not close it as its requestor.
        verified.Close(_team.Requestor with { Roles = new HashSet<Role> { Role.Implementer } }, Clock.Questionnaire, Now)
            .ShouldFailWith<NotTheRequestor>();
        // Legal holds are what an Auditor may do.
        verified.PlaceLegalHold(formerRequestor, "Litigation hold 2025-17", Now).ShouldSucceed();
    }

    [Fact]
    public void Close_of_a_normal_change_needs_no_post_implementation_review()
    {
        var change = _team.InState(ChangeState.Verified);

        change.Close(_team.Requestor, Clock.Questionnaire, Now).ShouldSucceed();
        change.ReviewedAt.ShouldBeNull();
    }

    [Fact]
    public void Version_increments_on_every_successful_transition_and_events_record_each_action()
    {
        var change = _team.Draft();
        var versions = new List<int> { change.Version };

        change.Submit(_team.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldSucceed();
        versions.Add(change.Version);
        change.Decide(_team.Approver, ApprovalDecision.Approve, "ok", Clock.Questionnaire, Now).ShouldSucceed();
        versions.Add(change.Version);
        change.Start(_team.Implementer, Now).ShouldSucceed();
        versions.Add(change.Version);
        change.Complete(_team.Implementer, Now).ShouldSucceed();
        versions.Add(change.Version);
        change.Verify(_team.Implementer, VerificationOutcome.Success, null, Now).ShouldSucceed();
        versions.Add(change.Version);
        change.Close(_team.Requestor, Clock.Questionnaire, Now).ShouldSucceed();
        versions.Add(change.Version);

        versions.ShouldBeInOrder(SortDirection.Ascending);
        versions.ShouldBeUnique();
        change.PendingEvents.Select(e => e.Action).ShouldBe(
            ["created", "submitted", "approved", "approval-complete", "started", "completed", "verified", "closed"]);
        // Each event carries the version it produced: one bump per event, so the timeline orders within one instant.
        change.PendingEvents.Select(e => e.Version).ShouldBe(Enumerable.Range(1, change.PendingEvents.Count));
        change.Version.ShouldBe(change.PendingEvents[^1].Version);
        change.PendingEvents.ShouldAllBe(e => e.ChangeRequestId == change.Id && e.At == Now);
        change.PendingEvents.Single(e => e.Action == "approved").ActorId.ShouldBe(_team.Approver.Id);
        change.PendingEvents.Single(e => e.Action == "approved").Detail.ShouldBe("ok");
        change.PendingEvents.Single(e => e.Action == "started").ActorId.ShouldBe(_team.Implementer.Id);
    }

    [Fact]
    public void Every_approval_bumps_the_version_even_before_the_change_is_fully_approved()
    {
        var change = _team.Submitted(ServiceProfiles.Regulated);
        var before = change.Version;

        change.Decide(_team.Approver, ApprovalDecision.Approve, null, Clock.Questionnaire, Now).ShouldSucceed();
        change.Version.ShouldBe(before + 1);
        change.State.ShouldBe(ChangeState.Submitted);

        change.Decide(_team.Security, ApprovalDecision.Approve, null, Clock.Questionnaire, Now).ShouldSucceed();
        change.Version.ShouldBeGreaterThan(before + 1);
        change.Version.ShouldBe(change.PendingEvents[^1].Version);
        change.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public void A_refused_transition_changes_neither_version_nor_events_nor_timestamps()
    {
        var change = _team.Submitted();
        var version = change.Version;
        var events = change.PendingEvents.Count;
        var updated = change.UpdatedAt;

        change.Decide(_team.Requestor, ApprovalDecision.Approve, null, Clock.Questionnaire, Now.AddHours(1))
            .ShouldFailWith<SelfApprovalForbidden>();
        change.Start(_team.Implementer, Now.AddHours(1)).ShouldFailWith<InvalidTransition>();

        change.Version.ShouldBe(version);
        change.PendingEvents.Count.ShouldBe(events);
        change.UpdatedAt.ShouldBe(updated);
        change.Approvals.Decisions.ShouldBeEmpty();
    }

    // ---- Every transition, from every state a change can be in ----

    private static readonly Dictionary<string, Func<Team, ChangeRequest, Result>> Transitions = new()
    {
        ["Submit"] = (t, c) => c.Submit(t.Requestor, Clock.Questionnaire, FreezeCalendar.None, ExceptionRegister.None, Clock.Now),
        ["Approve"] = (t, c) => c.Decide(t.Approver, ApprovalDecision.Approve, null, Clock.Questionnaire, Clock.Now),
        ["Reject"] = (t, c) => c.Decide(t.Approver, ApprovalDecision.Reject, null, Clock.Questionnaire, Clock.Now),
        ["Start"] = (t, c) => c.Start(t.Implementer, Clock.Now),
        ["Complete"] = (t, c) => c.Complete(t.Implementer, Clock.Now),
        ["Verify"] = (t, c) => c.Verify(t.Implementer, VerificationOutcome.Success, null, Clock.Now),
        ["RollBack"] = (t, c) => c.RollBack(t.Implementer, null, Clock.Now),
        ["Review"] = (t, c) => c.Review(t.Cab, Reviews.Done(), Clock.Now),
        ["Close"] = (t, c) => c.Close(t.Requestor, Clock.Questionnaire, Clock.Now),
        ["Cancel"] = (t, c) => c.Cancel(t.Requestor, null, Clock.Now),
        ["Edit"] = (t, c) => c.Edit(t.Requestor, c.Type, c.Content with { Purpose = c.Purpose + " (edited)" },
            [ServiceProfiles.Ordinary], Clock.Questionnaire, Clock.Now),
    };

    private static readonly ChangeState[] NormalStates = Enum.GetValues<ChangeState>();

    private static readonly ChangeState[] EmergencyStates =
    [
        ChangeState.Draft, ChangeState.Implementing, ChangeState.Implemented, ChangeState.Verified, ChangeState.Failed,
        ChangeState.RolledBack, ChangeState.Closed, ChangeState.Cancelled,
    ];

    private static readonly ChangeState[] EmergencyUnderWay =
        [ChangeState.Implementing, ChangeState.Implemented, ChangeState.Verified, ChangeState.Failed, ChangeState.RolledBack];

    private static ChangeState[] Allowed(ChangeType type, string transition) => (type, transition) switch
    {
        (ChangeType.Normal, "Submit") => [ChangeState.Draft],
        (ChangeType.Normal, "Approve" or "Reject") => [ChangeState.Submitted],
        (ChangeType.Normal, "Start") => [ChangeState.Approved],
        (ChangeType.Normal, "Review") => [],
        (ChangeType.Normal, "Edit" or "Cancel") => [ChangeState.Draft, ChangeState.Submitted, ChangeState.Approved],
        (ChangeType.Emergency, "Submit") => [ChangeState.Draft],
        (ChangeType.Emergency, "Approve" or "Reject") => EmergencyUnderWay,
        (ChangeType.Emergency, "Start" or "Cancel") => [ChangeState.Draft],
        (ChangeType.Emergency, "Review") => [ChangeState.Implemented, ChangeState.Verified, ChangeState.Failed, ChangeState.RolledBack],
        (ChangeType.Emergency, "Edit") => [ChangeState.Draft, .. EmergencyUnderWay],
        (_, "Complete") => [ChangeState.Implementing],
        (_, "Verify") => [ChangeState.Implemented],
        (_, "RollBack") => [ChangeState.Failed],
        (_, "Close") => [ChangeState.Verified, ChangeState.RolledBack],
        _ => throw new ArgumentOutOfRangeException(nameof(transition), transition, null),
    };

    private static IEnumerable<(ChangeType Type, ChangeState State, string Transition, bool Allowed)> Cases() =>
        from type in new[] { ChangeType.Normal, ChangeType.Emergency }
        from state in type == ChangeType.Normal ? NormalStates : EmergencyStates
        from transition in Transitions.Keys
        select (type, state, transition, Allowed(type, transition).Contains(state));

    public static TheoryData<ChangeType, ChangeState, string> RefusedCases()
    {
        var data = new TheoryData<ChangeType, ChangeState, string>();
        foreach (var c in Cases().Where(c => !c.Allowed))
            data.Add(c.Type, c.State, c.Transition);
        return data;
    }

    public static TheoryData<ChangeType, ChangeState, string> AllowedCases()
    {
        var data = new TheoryData<ChangeType, ChangeState, string>();
        // An emergency's close also needs approvals and the review, and its submit is an odd detour: both have their own tests.
        foreach (var c in Cases().Where(c => c.Allowed && !(c.Type == ChangeType.Emergency && c.Transition is "Close" or "Submit")))
            data.Add(c.Type, c.State, c.Transition);
        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedCases))]
    public void Transition_from_a_wrong_state_is_refused_as_InvalidTransition_and_changes_nothing(
        ChangeType type, ChangeState state, string transition)
    {
        var change = _team.InState(state, type);
        var version = change.Version;
        var events = change.PendingEvents.Count;
        var hash = change.ContentHash;

        var error = Transitions[transition](_team, change).ShouldFailWith<InvalidTransition>();

        error.State.ShouldBe(state);
        error.Type.ShouldBe("invalid-transition");
        error.Kind.ShouldBe(ErrorKind.Conflict);
        change.State.ShouldBe(state);
        change.Version.ShouldBe(version);
        change.PendingEvents.Count.ShouldBe(events);
        change.ContentHash.ShouldBe(hash);
    }

    [Theory]
    [MemberData(nameof(AllowedCases))]
    public void Transition_from_an_allowed_state_succeeds_and_raises_the_version(ChangeType type, ChangeState state, string transition)
    {
        var change = _team.InState(state, type);
        var version = change.Version;

        Transitions[transition](_team, change).ShouldSucceed();

        change.Version.ShouldBeGreaterThan(version);
        change.Version.ShouldBe(change.PendingEvents[^1].Version);
    }

    [Fact]
    public void Every_normal_state_is_reachable_through_the_public_transitions()
    {
        foreach (var state in Enum.GetValues<ChangeState>())
            _team.InState(state).State.ShouldBe(state);
    }

    [Fact]
    public void Submit_of_a_CR_touching_no_flagged_service_needs_only_a_Change_Approver()
    {
        var change = _team.Submitted(new ServiceProfile(Guid.NewGuid(), "docs", false, false));

        change.Approvals.Required.ShouldBe([ApprovalSlot.ChangeApprover]);
        change.PendingEvents[^1].Detail.ShouldBe("Risk Low; needs a Change Approver");
    }
}
