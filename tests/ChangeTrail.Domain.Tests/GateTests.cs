using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Evidence;
using ChangeTrail.Domain.Gate;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Services;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>
/// The gate's conditions over one snapshot: a production question that meets every condition is allowed, and each way of
/// failing one gives that condition's reason — all of them at once.
/// </summary>
public sealed class GateTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private readonly Team _team = new();
    private readonly Actor _pipeline = People.ServiceAccount("deploy", Role.Implementer);
    private readonly Service _service = Service.Create(ServiceProfiles.Ordinary.Id, "web", null, false, false,
        [new ServiceEnvironment("staging", false), new ServiceEnvironment("production", true)], Clock.Now).ShouldSucceed();

    /// <summary>An approved change naming the service and the commit, inside its window, with every suite passed and staging done.</summary>
    private GateSnapshot Ready(ChangeRequest? change = null, string environment = "production", IReadOnlySet<string>? scopes = null,
        Actor? asker = null, IReadOnlyList<TestEvidence>? evidence = null, IReadOnlyList<Deployment>? deployments = null, DateTime? now = null,
        FreezeCalendar? freezes = null, ExceptionRegister? exceptions = null)
    {
        change ??= ApprovedChange();
        return new GateSnapshot(new GateQuestion(change.DisplayNumber, "web", environment, Commit, null), change, _service,
            _service.Environments.FirstOrDefault(e => e.Name == environment), evidence ?? AllSuitesPassed(change), deployments ?? [StagingDone(change)],
            freezes ?? FreezeCalendar.None, exceptions ?? ExceptionRegister.None, asker ?? _pipeline, scopes ?? new HashSet<string> { Scopes.Gate }, GatePolicy.Default, now ?? Clock.Now.AddDays(1).AddHours(1));
    }

    private ChangeRequest ApprovedChange(Func<ChangeContent, ChangeContent>? with = null) =>
        _team.ApproveAll(_team.Submitted(with: c => (with ?? (x => x))(c with { Commits = [new CommitRef(Commit, "dev@example.test")] })));

    private List<TestEvidence> AllSuitesPassed(ChangeRequest change) =>
        [Junit(change, EvidenceKind.Unit, passed: 40), Junit(change, EvidenceKind.Integration, passed: 12), Sarif(change, errors: 0, warnings: 3)];

    private TestEvidence Junit(ChangeRequest change, EvidenceKind kind, int passed, int failed = 0, string? file = null, DateTime? at = null) =>
        TestEvidence.Record(Guid.NewGuid(), change.Id, Commit, kind, null, file ?? $"{kind}.xml", 100, new string('a', 64),
            new EvidenceSummary(EvidenceFormat.JUnit, passed, failed, 0, FindingCounts.Zero, [], null), FindingLevel.Error, _pipeline.Id,
            at ?? Clock.Now).ShouldSucceed();

    private TestEvidence Sarif(ChangeRequest change, int errors, int warnings, string file = "eslint.sarif", DateTime? at = null) =>
        TestEvidence.Record(Guid.NewGuid(), change.Id, Commit, EvidenceKind.Security, null, file, 100, new string('b', 64),
            new EvidenceSummary(EvidenceFormat.Sarif, 0, 0, 0, new FindingCounts(errors, warnings, 0, 0), [], "ESLint"), FindingLevel.Error,
            _pipeline.Id, at ?? Clock.Now).ShouldSucceed();

    private Deployment StagingDone(ChangeRequest change, DeploymentStatus status = DeploymentStatus.Succeeded, string commit = Commit) =>
        Deployment.Begin(Guid.NewGuid(), change.Id, new Deployment.Report(_service.Id, "staging", false, commit, null, status, null, null), null,
            _pipeline.Id, Clock.Now);

    private static IEnumerable<string> Codes(GateSnapshot snapshot) => GateConditions.Evaluate(snapshot).Select(r => r.Code);

    [Fact]
    public void A_question_meeting_every_condition_is_allowed() => Codes(Ready()).ShouldBeEmpty();

    [Fact]
    public void Every_reason_is_given_at_once()
    {
        var change = _team.Submitted(with: c => c with { Commits = [] });
        Codes(Ready(change, evidence: [], deployments: [], scopes: new HashSet<string> { "gate:staging" }, now: Clock.Now)).ShouldBe(
        [
            TokenMustCoverEnvironment.Code, ChangeMustBeApproved.NotApproved, MustBeInsideWindow.Code, CommitMustBeInChange.Code,
            SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing, MustDeployToNonProductionFirst.Code,
        ]);
    }

    [Fact]
    public void An_unknown_change_service_or_environment_is_named()
    {
        var snapshot = Ready() with { Change = null };
        Codes(snapshot).ShouldContain(ChangeMustExist.Code);
        Codes(Ready() with { Service = null, Environment = null }).ShouldContain(ServiceMustBeRegistered.ServiceUnknown);
        Codes(Ready(environment: "qa")).ShouldContain(ServiceMustBeRegistered.EnvironmentUnknown);
    }

    [Fact]
    public void A_token_scoped_to_one_environment_may_ask_about_that_one_only()
    {
        Codes(Ready(scopes: new HashSet<string> { "gate:Production" })).ShouldBeEmpty();
        Codes(Ready(scopes: new HashSet<string> { "gate:staging" })).ShouldBe([TokenMustCoverEnvironment.Code]);
    }

    [Theory]
    [InlineData(ChangeState.Draft)]
    [InlineData(ChangeState.Submitted)]
    [InlineData(ChangeState.Implemented)]
    [InlineData(ChangeState.Cancelled)]
    public void Production_takes_only_an_approved_change_or_one_being_implemented(ChangeState state)
    {
        var change = _team.InState(state);
        Codes(Ready(change)).ShouldContain(ChangeMustBeApproved.NotApproved);
    }

    [Fact]
    public void Testing_environments_take_a_change_before_approval_but_not_after_it_ended()
    {
        Codes(Ready(_team.Submitted(with: c => c with { Commits = [new CommitRef(Commit, null)] }), environment: "staging")).ShouldBeEmpty();
        Codes(Ready(_team.InState(ChangeState.Cancelled), environment: "staging")).ShouldContain(ChangeMustBeApproved.ChangeEnded);
    }

    [Fact]
    public void Production_is_refused_before_and_after_the_planned_window()
    {
        var change = ApprovedChange();
        Codes(Ready(change, now: change.PlannedStart!.Value.AddMinutes(-1))).ShouldBe([MustBeInsideWindow.Code]);
        Codes(Ready(change, now: change.PlannedEnd!.Value.AddMinutes(1))).ShouldBe([MustBeInsideWindow.Code]);
        Codes(Ready(change, now: change.PlannedEnd!.Value)).ShouldBeEmpty();
    }

    [Fact]
    public void Production_inside_a_freeze_of_the_service_is_freeze_window_naming_it_whenever_the_change_was_approved()
    {
        var change = ApprovedChange();
        var now = Clock.Now.AddDays(1).AddHours(1);
        var admin = People.Person("admin", Role.Admin);
        // Defined after the change was approved: the gate judges the freezes in force when it is asked.
        var freeze = FreezeWindow.Create(Guid.NewGuid(), "Payments incident freeze", now.AddHours(-1), now.AddHours(1), [_service.Id], null,
            admin, now.AddHours(-1)).ShouldSucceed();
        var calendar = new FreezeCalendar([freeze]);

        var reasons = GateConditions.Evaluate(Ready(change, now: now, freezes: calendar));
        reasons.Select(r => r.Code).ShouldBe([MustBeOutsideFreeze.Code]);
        reasons[0].Message.ShouldContain("'Payments incident freeze'");
        Codes(Ready(change, environment: "staging", now: now, freezes: calendar)).ShouldBeEmpty("a freeze guards production only");
        Codes(Ready(change, now: now.AddHours(1), freezes: calendar)).ShouldBeEmpty("the freeze's end is exclusive");

        freeze.Lift(admin, now.AddMinutes(-1)).ShouldSucceed();
        Codes(Ready(change, now: now, freezes: calendar)).ShouldBeEmpty("a lifted freeze covers nothing");
    }

    /// <summary>An exception to <paramref name="control"/>, approved by the Head of Engineering and the Security Officer, until <paramref name="expiresAt"/>.</summary>
    private PolicyException ApprovedException(string control, DateTime expiresAt)
    {
        var exception = PolicyException.Request(Guid.NewGuid(), 7, "Payments fix in the freeze", control, "d", "r", "c", expiresAt,
            _team.Requestor, Clock.Now).ShouldSucceed();
        exception.Decide(People.Person("head", Role.HeadOfEngineering), ApprovalDecision.Approve, null, Clock.Now).ShouldSucceed();
        exception.Decide(People.Person("officer", Role.SecurityOfficer), ApprovalDecision.Approve, null, Clock.Now).ShouldSucceed();
        return exception;
    }

    [Fact]
    public void A_cited_exception_lifts_exactly_its_condition_and_the_verdict_says_so_until_it_expires_mid_freeze()
    {
        var now = Clock.Now.AddDays(1).AddHours(1);
        var freeze = FreezeWindow.Create(Guid.NewGuid(), "Payments incident freeze", now.AddHours(-1), now.AddHours(4), [_service.Id], null,
            People.Person("admin", Role.Admin), now.AddHours(-1)).ShouldSucceed();
        var calendar = new FreezeCalendar([freeze]);
        var exception = ApprovedException("freeze-window", expiresAt: now.AddHours(1));
        var change = ApprovedChange(c => c with { Exceptions = [exception.Id] });
        var register = new ExceptionRegister([exception]);

        var verdict = GateConditions.Judge(Ready(change, now: now, freezes: calendar, exceptions: register));
        verdict.Reasons.ShouldBeEmpty();
        verdict.Waived.Select(w => (w.Code, w.Exception)).ShouldBe([(MustBeOutsideFreeze.Code, "EX-7")]);
        verdict.Waived[0].Message.ShouldContain("'Payments incident freeze'");
        verdict.Waived[0].Message.ShouldContain("Lifted by EX-7 (policy 3.5, freeze-window)");

        // The same exception lifts nothing else: no suites were run.
        var untested = GateConditions.Judge(Ready(change, now: now, freezes: calendar, exceptions: register, evidence: []));
        untested.Reasons.Select(r => r.Code).Distinct().ShouldBe([SuitesMustHavePassed.Missing]);
        untested.Waived.Select(w => w.Code).ShouldBe([MustBeOutsideFreeze.Code]);

        // Its expiry ends its effect on its own, while the freeze goes on.
        Codes(Ready(change, now: now.AddHours(1).AddSeconds(-1), freezes: calendar, exceptions: register)).ShouldBeEmpty();
        Codes(Ready(change, now: now.AddHours(1), freezes: calendar, exceptions: register)).ShouldBe([MustBeOutsideFreeze.Code]);
    }

    [Fact]
    public void An_exception_lifts_nothing_for_a_change_that_does_not_cite_it()
    {
        var exception = ApprovedException("automated-tests", expiresAt: Clock.Now.AddDays(30));
        var register = new ExceptionRegister([exception]);

        Codes(Ready(evidence: [], exceptions: register)).ShouldBe(
            [SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing]);
        var citing = ApprovedChange(c => c with { Exceptions = [exception.Id] });
        var verdict = GateConditions.Judge(Ready(citing, evidence: [], exceptions: register));
        verdict.Reasons.ShouldBeEmpty();
        verdict.Waived.Count.ShouldBe(3);
    }

    [Fact]
    public void A_freeze_of_another_service_does_not_stop_this_one()
    {
        var now = Clock.Now.AddDays(1).AddHours(1);
        var freeze = FreezeWindow.Create(Guid.NewGuid(), "Other", now.AddHours(-1), now.AddHours(1), [Guid.NewGuid()], null,
            People.Person("admin", Role.Admin), now.AddHours(-1)).ShouldSucceed();
        Codes(Ready(now: now, freezes: new FreezeCalendar([freeze]))).ShouldBeEmpty();
    }

    [Fact]
    public void The_commit_must_be_one_the_change_names_and_an_abbreviation_is_the_same_commit()
    {
        var snapshot = Ready();
        Codes(snapshot with { Question = snapshot.Question with { Commit = "fedcba9876543210" } }).ShouldContain(CommitMustBeInChange.Code);
        CommitRef.SameCommit(Commit[..7], Commit).ShouldBeTrue();
        CommitRef.SameCommit(Commit.ToUpperInvariant(), Commit).ShouldBeTrue();
        CommitRef.SameCommit(Commit[..6], Commit).ShouldBeFalse("shorter than git's shortest name");
    }

    [Fact]
    public void The_service_must_be_one_the_change_names()
    {
        var other = Service.Create(Guid.NewGuid(), "billing", null, false, false, [new ServiceEnvironment("production", true)], Clock.Now).ShouldSucceed();
        Codes(Ready() with { Service = other, Environment = other.Environments[0] }).ShouldContain(ServiceMustBeInChange.Code);
    }

    [Fact]
    public void Each_missing_suite_is_named_and_a_failed_one_says_how_it_failed()
    {
        var change = ApprovedChange();
        var reasons = GateConditions.Evaluate(Ready(change, evidence: [Junit(change, EvidenceKind.Unit, passed: 3, failed: 2)]));
        reasons.Select(r => r.Code).ShouldBe([SuitesMustHavePassed.Failed, SuitesMustHavePassed.Missing, SuitesMustHavePassed.Missing]);
        reasons[0].Message.ShouldContain("2 failed, 3 passed");
        reasons[1].Message.ShouldContain("integration");
        reasons[2].Message.ShouldContain("security");
    }

    [Fact]
    public void A_security_suite_fails_on_an_error_finding_and_a_rerun_under_the_same_name_replaces_it()
    {
        var change = ApprovedChange();
        var failing = Sarif(change, errors: 1, warnings: 0, at: Clock.Now);
        var evidence = AllSuitesPassed(change).Where(e => e.Kind != EvidenceKind.Security).Append(failing).ToList();
        Codes(Ready(change, evidence: evidence)).ShouldBe([SuitesMustHavePassed.Failed]);
        Codes(Ready(change, evidence: [.. evidence, Sarif(change, errors: 0, warnings: 1, at: Clock.Now.AddMinutes(5))])).ShouldBeEmpty();
        Codes(Ready(change, evidence: [.. evidence, Sarif(change, errors: 0, warnings: 1, file: "other.sarif", at: Clock.Now.AddMinutes(5))]))
            .ShouldBe([SuitesMustHavePassed.Failed], "another file does not replace the failing one: every file of a suite must pass");
    }

    [Fact]
    public void A_report_of_no_test_at_all_does_not_pass()
    {
        var change = ApprovedChange();
        var empty = Junit(change, EvidenceKind.Unit, passed: 0);
        empty.Passes.ShouldBeFalse();
        Codes(Ready(change, evidence: [empty, .. AllSuitesPassed(change).Where(e => e.Kind != EvidenceKind.Unit)]))
            .ShouldBe([SuitesMustHavePassed.Failed]);
    }

    [Fact]
    public void Production_waits_for_the_same_commit_to_succeed_in_a_testing_environment()
    {
        var change = ApprovedChange();
        Codes(Ready(change, deployments: [])).ShouldBe([MustDeployToNonProductionFirst.Code]);
        Codes(Ready(change, deployments: [StagingDone(change, DeploymentStatus.Failed)])).ShouldBe([MustDeployToNonProductionFirst.Code]);
        Codes(Ready(change, deployments: [StagingDone(change, DeploymentStatus.Started)])).ShouldBe([MustDeployToNonProductionFirst.Code]);
        Codes(Ready(change, deployments: [StagingDone(change, commit: Commit[..10].ToUpperInvariant())])).ShouldBeEmpty();
    }

    [Fact]
    public void The_only_approver_may_not_deploy_to_production()
    {
        var approverWhoDeploys = People.Person("approver", Role.ChangeApprover, Role.Implementer);
        var team = new Team { Approver = approverWhoDeploys };
        var change = team.ApproveAll(team.Submitted(with: c => c with { ImplementerId = null, Commits = [new CommitRef(Commit, null)] }));
        var reasons = GateConditions.Evaluate(Ready(change, asker: approverWhoDeploys, evidence: AllSuitesPassed(change),
            deployments: [StagingDone(change)]));
        reasons.Select(r => r.Code).ShouldBe([DeployerMayImplement.SeparationOfDuties]);
        reasons[0].Message.ShouldContain("only approver");
    }

    [Fact]
    public void A_person_deploys_only_a_change_they_are_the_named_implementer_of()
    {
        var someone = People.Person("someone", Role.Implementer);
        Codes(Ready(asker: someone)).ShouldBe(["not-the-implementer"]);
        Codes(Ready(asker: _team.Implementer)).ShouldBeEmpty();
    }
}
