using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Testing;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Policy 3.6's deadlines on the server's clock: an emergency's write-up is overdue a second after 24 hours and its review a
/// second after a week; done late, each stays flagged on the change and in the list a report is drawn from, whose filter by
/// flag answers as the change itself does. The tests of the class share one database, so each asks about its own change.
/// </summary>
public abstract class EmergencyDeadlineTests(ChangeTrailApp app) : ProviderTests(app)
{
    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private void At(DateTime instant) => App.Time.SetUtcNow(new DateTimeOffset(instant, TimeSpan.Zero));

    /// <summary>An emergency started at once, its test results not yet written up.</summary>
    private async Task<(Person Requestor, ChangeResponse Change)> StartedAsync()
    {
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync(), type: "Emergency") with
        {
            EmergencyJustification = "Checkout is down for every customer.",
            TestResults = null,
        });
        return (requestor, await requestor.ActAsync(draft.Number, "start"));
    }

    private static async Task<IReadOnlyList<string>> ListedAsync(Person who, string flag) =>
        (await who.Client.GetJsonAsync<PagedResponse<ChangeSummary>>($"/api/v1/changes?type=Emergency&flag={flag}&pageSize=200")).Items
        .Select(c => c.Number).ToList();

    [Fact]
    public async Task The_write_up_is_overdue_a_second_after_24_hours_and_stays_late_in_the_list_once_done()
    {
        var (requestor, change) = await StartedAsync();
        var due = change.DocumentationDueAt!.Value;

        At(due.AddSeconds(-1));
        (await requestor.GetAsync(change.Number)).Flags.ShouldBeEmpty();
        (await ListedAsync(requestor, EmergencyFlags.DocumentationOverdue)).ShouldNotContain(change.Number);
        At(due.AddSeconds(1));
        var overdue = await requestor.GetAsync(change.Number);
        overdue.Flags.ShouldBe([EmergencyFlags.DocumentationOverdue]);
        overdue.DocumentationOverdue.ShouldBeTrue();
        (await ListedAsync(requestor, EmergencyFlags.DocumentationOverdue)).ShouldContain(change.Number);
        (await requestor.Client.GetJsonAsync<PagedResponse<ChangeSummary>>("/api/v1/changes?type=Emergency&pageSize=200")).Items
            .Single(c => c.Number == change.Number).Flags.ShouldBe([EmergencyFlags.DocumentationOverdue]);

        await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { testResults = "Checkout smoke test green." });
        At(due.AddHours(2));
        var documented = await (await S.PersonAsync(Role.ChangeApprover)).ApproveAsync(change.Number);

        documented.DocumentedAt!.Value.ShouldBe(Now, TimeSpan.FromMilliseconds(1));
        documented.Flags.ShouldBe([EmergencyFlags.DocumentedLate]);
        (await ListedAsync(requestor, EmergencyFlags.DocumentedLate)).ShouldContain(change.Number);
        (await ListedAsync(requestor, EmergencyFlags.DocumentationOverdue)).ShouldNotContain(change.Number);
    }

    [Fact]
    public async Task The_review_is_overdue_a_week_after_the_start_and_a_late_review_stays_late()
    {
        var (requestor, change) = await StartedAsync();
        var reviewDue = change.ReviewDueAt.ShouldNotBeNull();
        reviewDue.ShouldBe(change.ImplementationStartedAt!.Value.AddDays(7), TimeSpan.FromMilliseconds(1));
        await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { testResults = "Green." });
        await (await S.PersonAsync(Role.ChangeApprover)).ApproveAsync(change.Number);
        await requestor.ActAsync(change.Number, "complete");

        At(reviewDue);
        (await ListedAsync(requestor, EmergencyFlags.ReviewOverdue)).ShouldNotContain(change.Number);
        At(reviewDue.AddSeconds(1));
        (await requestor.GetAsync(change.Number)).Flags.ShouldBe([EmergencyFlags.ReviewOverdue]);
        (await ListedAsync(requestor, EmergencyFlags.ReviewOverdue)).ShouldContain(change.Number);

        var cab = await S.PersonAsync(Role.CabMember);
        var reviewed = await cab.ActAsync(change.Number, "review",
            new ReviewRequest(ReviewOutcome.Successful, "An expired certificate; nothing watched it.", ["Alert before expiry"], null));
        reviewed.Flags.ShouldBe([EmergencyFlags.ReviewedLate]);
        (await ListedAsync(requestor, EmergencyFlags.ReviewedLate)).ShouldContain(change.Number);
        (await ListedAsync(requestor, EmergencyFlags.ReviewOverdue)).ShouldNotContain(change.Number);
    }

    [Fact]
    public async Task A_flag_that_is_no_flag_is_refused_naming_the_field()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var problem = await requestor.Client.GetAsync("/api/v1/changes?flag=late").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["flag"]);
    }
}

public sealed class EmergencyDeadlineTests_Sqlite(SqliteApp app) : EmergencyDeadlineTests(app), IClassFixture<SqliteApp>;

public sealed class EmergencyDeadlineTests_Postgres(PostgresApp app) : EmergencyDeadlineTests(app), IClassFixture<PostgresApp>;
