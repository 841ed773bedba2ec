using ChangeTrail.Domain.Approvals;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyDocuments;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>
/// Policy 6: the policy's text is versioned in the system, a new version is in force once a Head of Engineering and a Security
/// Officer approve it, each review is recorded, and the next is due twelve months after the last look, with reminders 30
/// and 7 days before and overdue after.
/// </summary>
public sealed class PolicyDocumentTests
{
    private static readonly DateTime Now = Clock.Now;
    private readonly Actor _admin = People.Person("admin", Role.Admin);
    private readonly Actor _head = People.Person("head", Role.HeadOfEngineering);
    private readonly Actor _officer = People.Person("officer", Role.SecurityOfficer);

    private PolicyVersion Propose(int number = 1, Actor? proposer = null) =>
        PolicyVersion.Propose(Guid.NewGuid(), number, "# Change Management Policy\n\n1. Purpose", "First version.", proposer ?? _admin, Now).ShouldSucceed();

    private PolicyVersion InForce(int number = 1, PolicyVersion? previous = null, DateTime? at = null)
    {
        var version = Propose(number);
        version.Decide(_head, ApprovalDecision.Approve, null, previous, at ?? Now).ShouldSucceed();
        version.Decide(_officer, ApprovalDecision.Approve, null, previous, at ?? Now).ShouldSucceed();
        return version;
    }

    [Fact]
    public void The_policy_owners_propose_a_text_with_what_changed()
    {
        PolicyVersion.Propose(Guid.NewGuid(), 1, " ", null, _admin, Now).ShouldFailWith<ValidationFailed, PolicyVersion>()
            .Errors.Keys.ShouldBe(["text", "summary"], ignoreOrder: true);
        PolicyVersion.Propose(Guid.NewGuid(), 1, "t", "s", People.Person("dev", Role.Requestor), Now).ShouldFailWith<RoleRequired, PolicyVersion>();
        PolicyVersion.Propose(Guid.NewGuid(), 1, "t", "s", People.ServiceAccount("bot", Role.Requestor), Now).ShouldFailWith<RoleRequired, PolicyVersion>();
        Propose().State.ShouldBe(PolicyVersionState.Proposed);
    }

    [Fact]
    public void A_version_is_in_force_with_both_sign_offs_by_two_people_and_supersedes_the_one_before()
    {
        var first = InForce();
        var second = Propose(2, proposer: _head);

        second.Decide(_head, ApprovalDecision.Approve, null, first, Now).ShouldFailWith<SelfSignOffForbidden>().Detail.ShouldContain("(policy 6)");
        var both = People.Person("cto", Role.HeadOfEngineering, Role.SecurityOfficer);
        second.Decide(both, ApprovalDecision.Approve, null, first, Now).ShouldSucceed();
        second.Decide(both, ApprovalDecision.Approve, null, first, Now).ShouldFailWith<AlreadySignedOff>();
        second.State.ShouldBe(PolicyVersionState.Proposed);
        first.State.ShouldBe(PolicyVersionState.InForce);

        second.Decide(_officer, ApprovalDecision.Approve, "reviewed in full", first, Now.AddHours(1)).ShouldSucceed();
        second.State.ShouldBe(PolicyVersionState.InForce);
        second.DecidedAt.ShouldBe(Now.AddHours(1));
        first.State.ShouldBe(PolicyVersionState.Superseded);
        first.SupersededAt.ShouldBe(Now.AddHours(1));
    }

    [Fact]
    public void A_proposal_older_than_the_version_in_force_is_not_approved_over_it()
    {
        var first = InForce();
        var second = Propose(2);
        var third = InForce(3, previous: first);

        second.Decide(_head, ApprovalDecision.Approve, null, third, Now).ShouldFailWith<PolicyVersionOutdated>().Detail.ShouldContain("v3");
        second.Decide(_head, ApprovalDecision.Reject, "Superseded by v3.", third, Now).ShouldSucceed();
        third.State.ShouldBe(PolicyVersionState.InForce);
    }

    [Fact]
    public void One_rejection_ends_a_proposal_and_leaves_the_version_in_force()
    {
        var first = InForce();
        var second = Propose(2);
        second.Decide(_officer, ApprovalDecision.Reject, "Weakens 3.7.", first, Now).ShouldSucceed();

        second.State.ShouldBe(PolicyVersionState.Rejected);
        first.State.ShouldBe(PolicyVersionState.InForce);
        second.Decide(_head, ApprovalDecision.Approve, null, first, Now).ShouldFailWith<PolicyVersionNotProposed>();
    }

    [Fact]
    public void A_review_is_recorded_by_a_policy_owner_of_the_version_in_force()
    {
        var version = InForce();
        PolicyReview.Record(Guid.NewGuid(), null, PolicyReviewOutcome.Unchanged, "n", _head, Now).ShouldFailWith<NoPolicyInForce, PolicyReview>();
        PolicyReview.Record(Guid.NewGuid(), version, PolicyReviewOutcome.Unchanged, "n", _admin, Now).ShouldFailWith<RoleRequired, PolicyReview>();
        PolicyReview.Record(Guid.NewGuid(), version, null, " ", _head, Now).ShouldFailWith<ValidationFailed, PolicyReview>()
            .Errors.Keys.ShouldBe(["outcome", "notes"], ignoreOrder: true);

        var review = PolicyReview.Record(Guid.NewGuid(), version, PolicyReviewOutcome.ChangesNeeded, "3.4 should name the staging soak.", _officer, Now)
            .ShouldSucceed();
        review.PolicyVersionId.ShouldBe(version.Id);
    }

    [Fact]
    public void The_next_review_is_due_twelve_months_after_the_last_look_with_reminders_before_and_overdue_after()
    {
        var inForce = Now;
        PolicyReviewCycle.NextReviewDue(null, inForce).ShouldBe(inForce.AddMonths(12));
        PolicyReviewCycle.NextReviewDue(inForce.AddMonths(3), inForce).ShouldBe(inForce.AddMonths(15), "a review restarts the cycle");
        PolicyReviewCycle.NextReviewDue(inForce.AddMonths(-3), inForce).ShouldBe(inForce.AddMonths(12), "so does a new version");
        PolicyReviewCycle.NextReviewDue(null, null).ShouldBeNull();

        var due = inForce.AddMonths(12);
        PolicyReviewCycle.StatusAt(null, Now).ShouldBe(PolicyReviewStatus.NoPolicy);
        PolicyReviewCycle.StatusAt(due, due.AddDays(-30).AddSeconds(-1)).ShouldBe(PolicyReviewStatus.Current);
        PolicyReviewCycle.StatusAt(due, due.AddDays(-30)).ShouldBe(PolicyReviewStatus.DueWithin30Days);
        PolicyReviewCycle.StatusAt(due, due.AddDays(-7).AddSeconds(-1)).ShouldBe(PolicyReviewStatus.DueWithin30Days);
        PolicyReviewCycle.StatusAt(due, due.AddDays(-7)).ShouldBe(PolicyReviewStatus.DueWithin7Days);
        PolicyReviewCycle.StatusAt(due, due).ShouldBe(PolicyReviewStatus.DueWithin7Days);
        PolicyReviewCycle.StatusAt(due, due.AddSeconds(1)).ShouldBe(PolicyReviewStatus.Overdue);
    }
}
