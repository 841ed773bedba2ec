using ChangeTrail.Domain.Approvals;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

public class ApprovalMatchingTests
{
    private const int Cases = 5_000;
    private static readonly ApprovalSlot[] AllSlots = Enum.GetValues<ApprovalSlot>();

    private sealed record Case(List<ApprovalSlot> Slots, List<(Guid Approver, IReadOnlyList<ApprovalSlot> Fillable)> Approvers)
    {
        public override string ToString() =>
            $"slots [{string.Join(", ", Slots)}]; approvers " +
            string.Join("; ", Approvers.Select((a, i) => $"#{i} [{string.Join(", ", a.Fillable)}]"));
    }

    /// <summary>0–4 slots (repeats allowed) and 0–5 approvers, each able to fill a random subset of the slot kinds.</summary>
    private static IEnumerable<Case> RandomCases(int seed)
    {
        var random = new Random(seed);
        for (var n = 0; n < Cases; n++)
        {
            var slots = Enumerable.Range(0, random.Next(0, 5)).Select(_ => AllSlots[random.Next(AllSlots.Length)]).ToList();
            var approvers = Enumerable.Range(0, random.Next(0, 6))
                .Select(_ =>
                {
                    var mask = random.Next(0, 1 << AllSlots.Length);
                    IReadOnlyList<ApprovalSlot> fillable = AllSlots.Where((_, bit) => (mask & (1 << bit)) != 0).ToList();
                    var id = new byte[16];
                    random.NextBytes(id);
                    return (new Guid(id), fillable);
                })
                .ToList();
            yield return new Case(slots, approvers);
        }
    }

    /// <summary>The largest number of slots distinct approvers can fill, by trying every assignment.</summary>
    private static int BruteForceMaximum(Case c)
    {
        var used = new bool[c.Slots.Count];
        return Best(0);

        int Best(int approver)
        {
            if (approver == c.Approvers.Count)
                return 0;
            var best = Best(approver + 1);
            for (var s = 0; s < c.Slots.Count; s++)
            {
                if (used[s] || !c.Approvers[approver].Fillable.Contains(c.Slots[s]))
                    continue;
                used[s] = true;
                best = Math.Max(best, 1 + Best(approver + 1));
                used[s] = false;
            }
            return best;
        }
    }

    [Fact]
    public void Match_fills_as_many_slots_as_a_brute_force_maximum_matching()
    {
        foreach (var c in RandomCases(seed: 3_3_7))
        {
            var assignment = ApprovalMatching.Match(c.Slots, c.Approvers);

            assignment.Count.ShouldBe(c.Slots.Count, c.ToString());
            assignment.Count(a => a is not null).ShouldBe(BruteForceMaximum(c), c.ToString());
        }
    }

    [Fact]
    public void Match_never_lets_one_approver_fill_two_slots()
    {
        foreach (var c in RandomCases(seed: 42))
        {
            var filled = ApprovalMatching.Match(c.Slots, c.Approvers).OfType<Guid>().ToList();

            filled.ShouldBeUnique(c.ToString());
        }
    }

    [Fact]
    public void Match_assigns_only_given_approvers_to_slots_they_can_fill()
    {
        foreach (var c in RandomCases(seed: 2025))
        {
            var assignment = ApprovalMatching.Match(c.Slots, c.Approvers);

            for (var s = 0; s < assignment.Count; s++)
            {
                if (assignment[s] is not { } approver)
                    continue;
                var who = c.Approvers.Where(a => a.Approver == approver).ShouldHaveSingleItem(c.ToString());
                who.Fillable.ShouldContain(c.Slots[s], c.ToString());
            }
        }
    }

    [Fact]
    public void Match_fills_the_same_number_of_slots_whatever_the_order_of_approvers()
    {
        var random = new Random(7);
        foreach (var c in RandomCases(seed: 99))
        {
            var shuffled = c.Approvers.ToArray();
            random.Shuffle(shuffled);

            var original = ApprovalMatching.Match(c.Slots, c.Approvers).Count(a => a is not null);
            var reordered = ApprovalMatching.Match(c.Slots, shuffled).Count(a => a is not null);

            reordered.ShouldBe(original, c.ToString());
        }
    }

    [Fact]
    public void Match_keeps_everyone_already_matched_when_one_more_approver_arrives()
    {
        // Adding an approver never makes coverage worse, so an arriving approval cannot un-approve a change.
        foreach (var c in RandomCases(seed: 12))
        {
            if (c.Approvers.Count == 0)
                continue;
            var before = ApprovalMatching.Match(c.Slots, c.Approvers[..^1]).Count(a => a is not null);
            var after = ApprovalMatching.Match(c.Slots, c.Approvers).Count(a => a is not null);

            after.ShouldBeInRange(before, before + 1, c.ToString());
        }
    }

    [Fact]
    public void Match_with_no_slots_or_no_approvers_fills_nothing()
    {
        var someone = (Guid.NewGuid(), (IReadOnlyList<ApprovalSlot>)[ApprovalSlot.ChangeApprover]);

        ApprovalMatching.Match([], [someone]).ShouldBeEmpty();
        ApprovalMatching.Match([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam], []).ShouldBe([null, null]);
    }

    [Fact]
    public void Match_moves_a_dual_role_approver_so_a_later_single_role_approver_fits()
    {
        var dual = Guid.NewGuid();
        var approverOnly = Guid.NewGuid();

        var assignment = ApprovalMatching.Match([ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam],
        [
            (dual, [ApprovalSlot.ChangeApprover, ApprovalSlot.SecurityTeam]),
            (approverOnly, [ApprovalSlot.ChangeApprover]),
        ]);

        assignment.ShouldBe([approverOnly, dual]);
    }

    [Fact]
    public void Match_fills_repeated_slots_with_distinct_people()
    {
        var one = Guid.NewGuid();
        var two = Guid.NewGuid();

        ApprovalMatching.Match([ApprovalSlot.ChangeApprover, ApprovalSlot.ChangeApprover],
            [(one, [ApprovalSlot.ChangeApprover]), (two, [ApprovalSlot.ChangeApprover])]).ShouldBe([one, two], ignoreOrder: true);
        ApprovalMatching.Match([ApprovalSlot.ChangeApprover, ApprovalSlot.ChangeApprover],
            [(one, [ApprovalSlot.ChangeApprover])]).ShouldBe([one, null]);
    }
}
