using ChangeTrail.Domain.Calendar;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Gate;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.PolicyExceptions;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>
/// Freeze windows: what makes one, when its occurrences fall (once, or on a cron schedule, each as long as the first), and
/// how a change's submission meets one. Clock.Now is Monday 2025-07-21 09:00 UTC; the team's changes plan Tuesday 09:00-11:00.
/// </summary>
public sealed class FreezeWindowTests
{
    private static readonly DateTime Now = Clock.Now;
    private readonly Actor _admin = People.Person("admin", Role.Admin);
    private readonly Team _team = new();

    private FreezeWindow Freeze(DateTime start, DateTime end, string? recurrence = null, params Guid[] services) =>
        FreezeWindow.Create(Guid.NewGuid(), "Quarter close", start, end, services, recurrence, _admin, Now).ShouldSucceed();

    private static DateTime At(int day, int hour, int minute = 0) => new(2025, 7, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void A_freeze_needs_a_name_a_start_before_its_end_and_an_admin()
    {
        var refused = FreezeWindow.Create(Guid.NewGuid(), " ", At(22, 10), At(22, 9), [], null, _admin, Now).ShouldFailWith<ValidationFailed, FreezeWindow>();
        refused.Errors.Keys.ShouldBe(["name", "end"], ignoreOrder: true);
        FreezeWindow.Create(Guid.NewGuid(), "x", null, null, [], null, _admin, Now).ShouldFailWith<ValidationFailed, FreezeWindow>()
            .Errors.Keys.ShouldBe(["start", "end"], ignoreOrder: true);
        FreezeWindow.Create(Guid.NewGuid(), "x", At(22, 9), At(22, 10), [], null, _team.Requestor, Now).ShouldFailWith<RoleRequired, FreezeWindow>();
    }

    [Fact]
    public void A_one_off_freeze_already_over_or_longer_than_a_quarter_is_refused()
    {
        FreezeWindow.Create(Guid.NewGuid(), "past", At(20, 9), At(21, 8), [], null, _admin, Now).ShouldFailWith<ValidationFailed, FreezeWindow>()
            .Errors["end"].ShouldHaveSingleItem().ShouldContain("over already");
        FreezeWindow.Create(Guid.NewGuid(), "long", At(22, 0), At(22, 0).AddDays(93), [], null, _admin, Now)
            .ShouldFailWith<ValidationFailed, FreezeWindow>().Errors.Keys.ShouldBe(["end"]);
    }

    [Theory]
    [InlineData("not cron", "recurrence")]
    [InlineData("*/30 * * * *", "recurrence")] // every half hour: more often than hourly
    [InlineData("0 18 * * 5", "start")]        // Fridays 18:00, but the start given is a Tuesday
    public void A_recurrence_must_parse_repeat_at_most_hourly_and_give_the_start_itself(string recurrence, string field) =>
        FreezeWindow.Create(Guid.NewGuid(), "weekly", At(22, 9), At(22, 11), [], recurrence, _admin, Now)
            .ShouldFailWith<ValidationFailed, FreezeWindow>().Errors.Keys.ShouldBe([field]);

    [Fact]
    public void A_one_off_freeze_overlaps_exactly_the_periods_that_share_an_instant_with_it()
    {
        var freeze = Freeze(At(22, 10), At(22, 12));

        freeze.FirstOverlap(At(22, 9), At(22, 10)).ShouldBeNull("a window ending when the freeze starts is outside it");
        freeze.FirstOverlap(At(22, 12), At(22, 13)).ShouldBeNull("the end is exclusive");
        freeze.FirstOverlap(At(22, 9), At(22, 10, 1)).ShouldBe(new FreezeOccurrence(At(22, 10), At(22, 12)));
        freeze.FirstOverlap(At(22, 11, 59), At(22, 13)).ShouldNotBeNull();
        freeze.FirstOverlap(At(22, 10, 30), At(22, 11)).ShouldNotBeNull("a window inside the freeze");
    }

    [Fact]
    public void A_weekly_freeze_recurs_from_its_start_each_occurrence_as_long_as_the_first()
    {
        // Every Friday 18:00 to Monday 06:00 (60 hours), from Friday 25 July.
        var weekend = Freeze(At(25, 18), At(28, 6), "0 18 * * 5");

        weekend.OccurrencesBetween(At(1, 0), At(31, 0).AddDays(14)).ShouldBe(
        [
            new FreezeOccurrence(At(25, 18), At(28, 6)),
            new FreezeOccurrence(At(25, 18).AddDays(7), At(28, 6).AddDays(7)),
            new FreezeOccurrence(At(25, 18).AddDays(14), At(28, 6).AddDays(14)),
        ]);
        weekend.FirstOverlap(At(18, 20), At(19, 1)).ShouldBeNull("the Friday before its start is not frozen");
        weekend.FirstOverlap(At(28, 5), At(28, 7)).ShouldBe(new FreezeOccurrence(At(25, 18), At(28, 6)), "Monday 05:00 is still frozen");
        weekend.FirstOverlap(At(28, 6), At(28, 7)).ShouldBeNull("Monday 06:00 is not");
        // An occurrence that began before the period asked about still covers it.
        weekend.FirstOverlap(At(31, 0).AddDays(3), At(31, 0).AddDays(3).AddHours(1))
            .ShouldBe(new FreezeOccurrence(At(25, 18).AddDays(7), At(28, 6).AddDays(7)));
    }

    [Fact]
    public void A_lifted_freeze_covers_nothing_from_the_moment_it_was_lifted()
    {
        var freeze = Freeze(At(21, 10), At(23, 10));
        freeze.Lift(_admin, At(22, 8)).ShouldSucceed();

        freeze.FirstOverlap(At(21, 12), At(21, 13)).ShouldNotBeNull("before the lift it was in force");
        freeze.FirstOverlap(At(22, 9), At(22, 11)).ShouldBeNull();
        freeze.Lift(_admin, At(22, 9)).ShouldFailWith<FreezeAlreadyLifted>();
        freeze.LiftedById.ShouldBe(_admin.Id);
    }

    [Fact]
    public void A_freeze_naming_services_covers_only_those_and_one_naming_none_covers_every_service()
    {
        var other = Guid.NewGuid();
        var calendar = new FreezeCalendar([Freeze(At(22, 0), At(23, 0), null, other)]);
        calendar.FirstCovering([ServiceProfiles.Ordinary.Id], At(22, 9), At(22, 11)).ShouldBeNull();
        calendar.FirstCovering([ServiceProfiles.Ordinary.Id, other], At(22, 9), At(22, 11)).ShouldNotBeNull();

        new FreezeCalendar([Freeze(At(22, 0), At(23, 0))]).FirstCovering([Guid.NewGuid()], At(22, 9), At(22, 11)).ShouldNotBeNull();
    }

    [Fact]
    public void Submitting_a_change_planned_inside_a_freeze_is_refused_with_the_freeze_named()
    {
        var change = _team.Draft();
        var calendar = new FreezeCalendar([Freeze(At(22, 10), At(22, 12))]);

        var refused = change.Submit(_team.Requestor, Clock.Questionnaire, calendar, ExceptionRegister.None, Now).ShouldFailWith<InsideFreeze>();

        refused.Type.ShouldBe("freeze-window");
        refused.Detail.ShouldContain("'Quarter close'");
        refused.Detail.ShouldContain("2025-07-22 10:00");
        refused.FieldErrors.Keys.ShouldBe(["plannedStart", "plannedEnd"], ignoreOrder: true);
        change.State.ShouldBe(ChangeState.Draft);
        change.CanSubmit(_team.Requestor, Clock.Questionnaire, calendar, ExceptionRegister.None, Now).ShouldFailWith<InsideFreeze>();
    }

    [Fact]
    public void A_change_planned_just_outside_a_freeze_is_submitted()
    {
        var change = _team.Draft();
        var calendar = new FreezeCalendar([Freeze(At(22, 11), At(22, 12)), Freeze(At(22, 6), At(22, 9))]);

        change.Submit(_team.Requestor, Clock.Questionnaire, calendar, ExceptionRegister.None, Now).ShouldSucceed();
    }

    [Theory]
    [InlineData(ChangeState.Submitted)]
    [InlineData(ChangeState.Approved)]
    [InlineData(ChangeState.Implementing)]
    public void A_freeze_defined_over_a_change_already_submitted_is_found_on_it(ChangeState state)
    {
        var change = _team.InState(state);

        var found = change.FrozenBy(new FreezeCalendar([Freeze(At(22, 10), At(22, 12))]), ExceptionRegister.None, Now).ShouldNotBeNull();

        found.Freeze.Name.ShouldBe("Quarter close");
        found.Occurrence.Start.ShouldBe(At(22, 10));
        change.FrozenBy(new FreezeCalendar([Freeze(At(22, 11), At(22, 12))]), ExceptionRegister.None, Now).ShouldBeNull("the window ends at 11:00");
    }

    [Theory]
    [InlineData(ChangeState.Draft, ChangeType.Normal)] // its submission is refused, naming the freeze
    [InlineData(ChangeState.Implemented, ChangeType.Normal)]
    [InlineData(ChangeState.Closed, ChangeType.Normal)]
    [InlineData(ChangeState.Cancelled, ChangeType.Normal)]
    [InlineData(ChangeState.Implementing, ChangeType.Emergency)]
    public void A_freeze_is_not_found_on_a_draft_a_change_made_or_dropped_or_an_emergency(ChangeState state, ChangeType type)
    {
        var change = _team.InState(state, type);

        change.FrozenBy(new FreezeCalendar([Freeze(At(22, 0), At(23, 0))]), ExceptionRegister.None, Now).ShouldBeNull();
    }

    [Fact]
    public void An_emergency_is_exempt_from_freezes()
    {
        var emergency = _team.Draft(ChangeType.Emergency);
        var calendar = new FreezeCalendar([Freeze(At(22, 0), At(23, 0))]);

        emergency.Submit(_team.Requestor, Clock.Questionnaire, calendar, ExceptionRegister.None, Now).ShouldSucceed();
    }
}
