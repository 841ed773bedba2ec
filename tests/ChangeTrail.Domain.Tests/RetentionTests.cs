using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
using ChangeTrail.Domain.Retention;
using Shouldly;

namespace ChangeTrail.Domain.Tests;

/// <summary>Policy 3.5: records kept at least 12 calendar months; a legal hold keeps a change whatever the period says.</summary>
public class RetentionTests
{
    private static readonly DateTime Now = Clock.Now;
    private readonly Team _team = new();
    private readonly Actor _admin = People.Person("admin", Role.Admin);

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(-12)]
    public void A_period_below_twelve_months_is_refused_naming_the_field(int months)
    {
        var error = RetentionPeriod.Of(months).ShouldFailWith<RetentionTooShort, RetentionPeriod>();
        error.FieldErrors.Keys.ShouldBe(["months"]);
        error.Detail.ShouldContain("12 calendar months");
    }

    [Fact]
    public void Twelve_months_and_more_are_accepted_up_to_a_hundred_years()
    {
        RetentionPeriod.Of(12).ShouldSucceed().Months.ShouldBe(12);
        RetentionPeriod.Of(84).ShouldSucceed().Months.ShouldBe(84);
        RetentionPeriod.Of(1201).ShouldFailWith<ValidationFailed, RetentionPeriod>().Errors.Keys.ShouldBe(["months"]);
    }

    [Theory]
    [InlineData("2026-03-31T10:00:00Z", 12, "2025-03-31T10:00:00Z")]
    [InlineData("2025-02-28T00:00:00Z", 12, "2024-02-28T00:00:00Z")] // a leap year behind: 366 days, not 365
    [InlineData("2025-03-31T00:00:00Z", 13, "2024-02-29T00:00:00Z")] // no 31 February: the month's last day
    [InlineData("2026-11-28T12:00:00Z", 24, "2024-11-28T12:00:00Z")]
    public void The_cutoff_is_counted_in_calendar_months_not_days(string now, int months, string cutoff)
    {
        RetentionPeriod.Of(months).ShouldSucceed().CutoffAt(Utc(now)).ShouldBe(Utc(cutoff));
    }

    [Fact]
    public void An_auditor_places_a_legal_hold_with_a_reason_and_it_is_on_the_timeline()
    {
        var change = _team.Draft();
        change.EventsSaved();

        change.PlaceLegalHold(_team.Auditor, "  Litigation hold 2026-17  ", Now).ShouldSucceed();

        change.IsUnderLegalHold.ShouldBeTrue();
        change.LegalHold!.Reason.ShouldBe("Litigation hold 2026-17");
        change.LegalHold!.PlacedById.ShouldBe(_team.Auditor.Id);
        change.LegalHold!.PlacedAt.ShouldBe(Now);
        change.PendingEvents.Select(e => (e.Action, e.Detail)).ShouldBe([("legal-hold-placed", "Litigation hold 2026-17")]);
    }

    [Fact]
    public void Only_an_admin_or_an_auditor_may_place_or_release_a_hold()
    {
        var change = _team.Draft();

        change.PlaceLegalHold(_team.Requestor, "mine", Now).ShouldFailWith<RoleRequired>().Roles.ShouldBe(["Admin", "Auditor"]);
        change.PlaceLegalHold(_admin, "Regulator's request", Now).ShouldSucceed();
        change.ReleaseLegalHold(_team.Approver, Now).ShouldFailWith<RoleRequired>();
        change.IsUnderLegalHold.ShouldBeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   ")]
    public void A_hold_without_a_reason_is_refused_and_changes_nothing(string? reason)
    {
        var change = _team.Draft();
        var version = change.Version;

        change.PlaceLegalHold(_team.Auditor, reason, Now).ShouldFailWith<ValidationFailed>().Errors.Keys.ShouldBe(["reason"]);

        change.IsUnderLegalHold.ShouldBeFalse();
        change.Version.ShouldBe(version);
    }

    [Fact]
    public void A_second_hold_and_releasing_no_hold_are_conflicts()
    {
        var change = _team.Draft();
        change.ReleaseLegalHold(_team.Auditor, Now).ShouldFailWith<NotUnderLegalHold>();
        change.PlaceLegalHold(_team.Auditor, "first", Now).ShouldSucceed();

        change.PlaceLegalHold(_admin, "second", Now).ShouldFailWith<AlreadyUnderLegalHold>().Reason.ShouldBe("first");
        change.LegalHold!.Reason.ShouldBe("first");
    }

    [Fact]
    public void Only_an_ended_change_past_the_cutoff_without_a_hold_may_be_purged()
    {
        var cutoff = Now.AddMinutes(1);
        var open = _team.Draft();
        open.CanBePurged(cutoff).ShouldFailWith<InvalidTransition>();

        var cancelled = _team.Draft();
        cancelled.Cancel(_team.Requestor, "not needed", Now).ShouldSucceed();
        cancelled.CanBePurged(cutoff).ShouldSucceed();
        cancelled.CanBePurged(Now).ShouldFailWith<WithinRetention>(); // older than the cutoff, not equal to it

        cancelled.PlaceLegalHold(_team.Auditor, "Investigation", Now).ShouldSucceed();
        cancelled.CanBePurged(cutoff.AddYears(10)).ShouldFailWith<UnderLegalHold>();

        // Releasing is an action: the period counts again from the release.
        var released = Now.AddYears(2);
        cancelled.ReleaseLegalHold(_team.Auditor, released).ShouldSucceed();
        cancelled.CanBePurged(released).ShouldFailWith<WithinRetention>();
        cancelled.CanBePurged(released.AddTicks(1)).ShouldSucceed();
    }

    [Fact]
    public void A_purge_record_names_its_period_and_cutoff_and_refuses_a_short_or_inconsistent_one()
    {
        var purgedAt = Utc("2027-06-15T08:00:00Z");
        var purge = LedgerPurge.Of(RetentionPeriod.Of(12).ShouldSucceed(), purgedAt,
            [new PurgedEntry(3, "2026-01-02T03:04:05.000000Z", new string('a', 64))]);

        purge.ToJson().ShouldBe("""{"retentionMonths":12,"cutoff":"2026-06-15T08:00:00.000000Z","entries":[{"index":3,"at":"2026-01-02T03:04:05.000000Z","leafHash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}]}""");
        var parsed = LedgerPurge.TryParse(purge.ToJson()).ShouldNotBeNull();
        parsed.Entries.ShouldBe(purge.Entries);
        parsed.ToJson().ShouldBe(purge.ToJson());
        purge.Violation(purgedAt).ShouldBeNull();

        (purge with { RetentionMonths = 6, Cutoff = "2026-12-15T08:00:00.000000Z" }).Violation(purgedAt).ShouldNotBeNull().ShouldContain("below the 12 months");
        purge.Violation(purgedAt.AddDays(1)).ShouldNotBeNull().ShouldContain("is not 12 months before the purge");
        LedgerPurge.TryParse("""{"retentionMonths":12}""").ShouldBeNull();
        LedgerPurge.TryParse("""{"state":"Closed"}""").ShouldBeNull();
    }

    private static DateTime Utc(string value) =>
        DateTime.Parse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
}
