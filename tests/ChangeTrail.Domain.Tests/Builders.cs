using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Domain.Services;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>The fixed instant every test treats as "now", and the default questionnaire.</summary>
public static class Clock
{
    public static readonly DateTime Now = new(2025, 7, 21, 9, 0, 0, DateTimeKind.Utc);

    public static RiskQuestionnaire Questionnaire => DefaultRiskQuestionnaire.Instance;
}

/// <summary>A complete post-implementation review: its outcome and root cause given.</summary>
public static class Reviews
{
    public static PostImplementationReview Done(string rootCause = "The cause was found and fixed.") =>
        new(ReviewOutcome.Successful, rootCause, [], null);
}

public static class People
{
    public static Actor Person(string name, params Role[] roles) =>
        new(Guid.NewGuid(), $"{name}@example.test", false, roles.ToHashSet());

    public static Actor ServiceAccount(string name, params Role[] roles) =>
        new(Guid.NewGuid(), $"{name}@pipelines.example.test", true, roles.ToHashSet());
}

public static class ServiceProfiles
{
    public static readonly ServiceProfile Ordinary = new(Guid.Parse("00000000-0000-0000-0000-00000000000a"), "web", false, false);
    public static readonly ServiceProfile Regulated = new(Guid.Parse("00000000-0000-0000-0000-00000000000b"), "payments", true, false);
    public static readonly ServiceProfile SecurityControl = new(Guid.Parse("00000000-0000-0000-0000-00000000000c"), "auth", false, true);
}

/// <summary>Risk answers for the default questionnaire.</summary>
public static class Answers
{
    /// <summary>Every question answered with its zero-weight option.</summary>
    public static Dictionary<string, string> Low() => new()
    {
        ["accessControl"] = "no",
        ["sensitiveData"] = "no",
        ["networkExposure"] = "no",
        ["downtime"] = "none",
        ["blastRadius"] = "single",
        ["rollbackTime"] = "minutes",
        ["complexity"] = "one",
        ["familiarity"] = "routine",
        ["dataMigration"] = "no",
    };

    /// <summary>Brief downtime: availability Medium, the rest Low.</summary>
    public static Dictionary<string, string> Medium() => With(("downtime", "brief"));

    /// <summary>Access control changes: security High.</summary>
    public static Dictionary<string, string> High() => With(("accessControl", "yes"));

    public static Dictionary<string, string> With(params (string Question, string Option)[] answers)
    {
        var all = Low();
        foreach (var (question, option) in answers)
            all[question] = option;
        return all;
    }
}

public static class ResultAssertions
{
    public static void ShouldSucceed(this Result result) =>
        result.IsSuccess.ShouldBeTrue($"expected success, got {result.Error}");

    public static T ShouldSucceed<T>(this Result<T> result)
    {
        result.IsSuccess.ShouldBeTrue($"expected success, got {result.Error}");
        return result.Value!;
    }

    public static TError ShouldFailWith<TError>(this Result result) where TError : DomainError
    {
        result.IsSuccess.ShouldBeFalse($"expected {typeof(TError).Name}, got success");
        return result.Error.ShouldBeOfType<TError>();
    }

    public static TError ShouldFailWith<TError, T>(this Result<T> result) where TError : DomainError
    {
        result.IsSuccess.ShouldBeFalse($"expected {typeof(TError).Name}, got success");
        return result.Error.ShouldBeOfType<TError>();
    }
}

/// <summary>
/// The people around one change request (fresh ids per instance), and short-hands that drive a change
/// through its lifecycle with the public methods only.
/// </summary>
public sealed class Team
{
    public Actor Requestor { get; init; } = People.Person("requestor", Role.Requestor);
    public Actor Implementer { get; init; } = People.Person("implementer", Role.Implementer);
    public Actor Approver { get; init; } = People.Person("approver", Role.ChangeApprover);
    public Actor SecondApprover { get; init; } = People.Person("approver2", Role.ChangeApprover);
    public Actor Cab { get; init; } = People.Person("cab", Role.CabMember);
    public Actor Security { get; init; } = People.Person("security", Role.SecurityReviewer);
    public Actor Auditor { get; init; } = People.Person("auditor", Role.Auditor);

    public static RiskQuestionnaire Q => Clock.Questionnaire;
    public static DateTime Now => Clock.Now;

    /// <summary>Every field policy 3.2 asks for, on <paramref name="service"/>, with low-risk answers and the team's implementer named.</summary>
    public ChangeContent Content(ServiceProfile? service = null, ChangeType type = ChangeType.Normal) => new(
        Title: "Upgrade the payments API to v2",
        Purpose: "Customers need 3-D Secure 2.",
        Scope: "The payments API and its worker.",
        ImpactAnalysis: "Checkout is read-only for two minutes.",
        RollbackPlan: "Redeploy v1.9 from the release pipeline.",
        TestPlan: "Unit, integration and security suites; a canary payment.",
        TestResults: "All suites green on build 812.",
        PlannedStart: Now.AddDays(1),
        PlannedEnd: Now.AddDays(1).AddHours(2),
        Services: [(service ?? ServiceProfiles.Ordinary).Id],
        RiskAnswers: Answers.Low(),
        ImplementerId: Implementer.Id,
        Commits: [],
        Links: ["https://git.example.test/payments/pull/42"],
        EmergencyJustification: type == ChangeType.Emergency ? "Checkout is down for every customer." : null,
        Exceptions: []);

    /// <summary>A draft change; <paramref name="with"/> adjusts the complete content first.</summary>
    public ChangeRequest Draft(ChangeType type = ChangeType.Normal, ServiceProfile? service = null,
        Func<ChangeContent, ChangeContent>? with = null)
    {
        var profile = service ?? ServiceProfiles.Ordinary;
        var content = Content(profile, type);
        if (with is not null)
            content = with(content);
        return ChangeRequest.Create(Guid.NewGuid(), 1, type, content, Requestor, [profile], Q, Now).ShouldSucceed();
    }

    public ChangeRequest Submitted(ServiceProfile? service = null, Func<ChangeContent, ChangeContent>? with = null)
    {
        var change = Draft(ChangeType.Normal, service, with);
        change.Submit(Requestor, Q, FreezeCalendar.None, ExceptionRegister.None, Now).ShouldSucceed();
        return change;
    }

    /// <summary>The team member who fills a slot.</summary>
    public Actor For(ApprovalSlot slot) => slot switch
    {
        ApprovalSlot.ChangeApprover => Approver,
        ApprovalSlot.CabMember => Cab,
        _ => Security,
    };

    /// <summary>Fills every outstanding slot with the team member for it.</summary>
    public ChangeRequest ApproveAll(ChangeRequest change)
    {
        while (change.Approvals.Outstanding().Count > 0)
            change.Decide(For(change.Approvals.Outstanding()[0]), ApprovalDecision.Approve, "Looks good", Q, Now).ShouldSucceed();
        return change;
    }

    /// <summary>A change in <paramref name="state"/>, reached through the public transitions.</summary>
    public ChangeRequest InState(ChangeState state, ChangeType type = ChangeType.Normal, ServiceProfile? service = null) =>
        type == ChangeType.Emergency ? EmergencyInState(state, service) : NormalInState(state, service);

    private ChangeRequest NormalInState(ChangeState state, ServiceProfile? service)
    {
        var change = Draft(ChangeType.Normal, service);
        if (state == ChangeState.Draft)
            return change;
        if (state == ChangeState.Cancelled)
            return Do(change, change.Cancel(Requestor, "No longer needed", Now));

        Do(change, change.Submit(Requestor, Q, FreezeCalendar.None, ExceptionRegister.None, Now));
        if (state == ChangeState.Submitted)
            return change;
        if (state == ChangeState.Rejected)
            return Do(change, change.Decide(Approver, ApprovalDecision.Reject, "Too risky", Q, Now));

        ApproveAll(change);
        if (state == ChangeState.Approved)
            return change;
        Do(change, change.Start(Implementer, Now));
        return Implement(change, state);
    }

    private ChangeRequest EmergencyInState(ChangeState state, ServiceProfile? service)
    {
        var change = Draft(ChangeType.Emergency, service);
        if (state == ChangeState.Draft)
            return change;
        if (state == ChangeState.Cancelled)
            return Do(change, change.Cancel(Requestor, "Resolved itself", Now));
        if (state is not (ChangeState.Implementing or ChangeState.Implemented or ChangeState.Verified or ChangeState.Failed
            or ChangeState.RolledBack or ChangeState.Closed))
            throw new ArgumentOutOfRangeException(nameof(state), state, "An emergency change does not pass through this state.");

        Do(change, change.Start(Implementer, Now));
        if (state != ChangeState.Closed)
            return Implement(change, state);

        Implement(change, ChangeState.Verified);
        ApproveAll(change);
        Do(change, change.Review(Cab, Reviews.Done("Handled well"), Now));
        return Do(change, change.Close(Requestor, Clock.Questionnaire, Now));
    }

    /// <summary>From Implementing on to <paramref name="state"/>.</summary>
    private ChangeRequest Implement(ChangeRequest change, ChangeState state)
    {
        if (state == ChangeState.Implementing)
            return change;
        Do(change, change.Complete(Implementer, Now));
        if (state == ChangeState.Implemented)
            return change;
        if (state is ChangeState.Failed or ChangeState.RolledBack)
        {
            Do(change, change.Verify(Implementer, VerificationOutcome.Failed, "Error rate doubled", Now));
            return state == ChangeState.Failed ? change : Do(change, change.RollBack(Implementer, "v1.9 redeployed", Now));
        }
        Do(change, change.Verify(Implementer, VerificationOutcome.Success, "Canary payment went through", Now));
        if (state == ChangeState.Verified)
            return change;
        if (state == ChangeState.Closed)
            return Do(change, change.Close(Requestor, Clock.Questionnaire, Now));
        throw new ArgumentOutOfRangeException(nameof(state), state, "Not a state after implementation.");
    }

    private static ChangeRequest Do(ChangeRequest change, Result result)
    {
        result.ShouldSucceed();
        return change;
    }
}
