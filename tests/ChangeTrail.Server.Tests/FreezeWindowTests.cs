using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate.Conditions;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Testing;
using Shouldly;
using static ChangeTrail.Server.Tests.PipelineFlow;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Freeze windows through HTTP: an admin defines and lifts them, submission into one is refused with the freeze named, and
/// the gate denies production deployments of a frozen service. Every freeze here names its own service, so the tests of
/// the class, which share one database, do not freeze each other.
/// </summary>
public abstract class FreezeWindowTests(ChangeTrailApp app) : ProviderTests(app)
{
    private DateTime Now => App.Time.GetUtcNow().UtcDateTime;

    private Task<HttpResponseMessage> TryFreezeAsync(CreateFreezeWindowRequest body) => S.Admin.PostAsync("/api/v1/freeze-windows", body);

    private async Task<FreezeWindowResponse> FreezeAsync(string name, DateTime start, DateTime end, string? service, string? recurrence = null) =>
        await ApiClient.ReadAsync<FreezeWindowResponse>(await TryFreezeAsync(
            new CreateFreezeWindowRequest(name, start, end, service is null ? null : [service], recurrence)));

    [Fact]
    public async Task An_admin_defines_a_freeze_which_is_listed_and_written_to_the_ledger()
    {
        var service = await S.ServiceAsync();
        var start = Now.Date.AddDays(3).AddHours(18);

        var response = await TryFreezeAsync(new CreateFreezeWindowRequest("  Quarter close  ", start, start.AddHours(60), [service], null));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var freeze = await ApiClient.ReadAsync<FreezeWindowResponse>(response);
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/freeze-windows/{freeze.Id}");
        freeze.Name.ShouldBe("Quarter close");
        freeze.Services.Select(s => s.Name).ShouldBe([service]);
        freeze.Current.ShouldBe(new FreezeOccurrenceDto(start, start.AddHours(60)));
        freeze.LiftedAt.ShouldBeNull();

        (await S.Admin.GetJsonAsync<List<FreezeWindowResponse>>("/api/v1/freeze-windows")).ShouldContain(f => f.Id == freeze.Id);
        (await S.Admin.GetJsonAsync<FreezeWindowResponse>($"/api/v1/freeze-windows/{freeze.Id}")).Name.ShouldBe("Quarter close");
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        var entry = ledger.Entries.Where(e => e.SubjectType == "FreezeWindow" && e.SubjectId == freeze.Id.ToString()).ShouldHaveSingleItem();
        entry.Action.ShouldBe("freeze.created");
        entry.Record!.ShouldContain("\"name\":\"Quarter close\"");
    }

    [Fact]
    public async Task A_freeze_sent_with_an_offset_and_finer_than_a_microsecond_is_kept_in_UTC_microseconds_and_ends_on_time()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        App.IntoWindow(change);
        var start = Clock.Truncate(Now.AddMinutes(-5));
        var end = Clock.Truncate(Now.AddHours(1));
        static string Paris(DateTime utc) => utc.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ss.ffffff") + "7+01:00";

        var response = await S.Admin.SendRawAsync(HttpMethod.Post, "/api/v1/freeze-windows",
            $$"""{"name":"Offset","start":"{{Paris(start)}}","end":"{{Paris(end)}}","services":["{{service}}"]}""");
        var freeze = await ApiClient.ReadAsync<FreezeWindowResponse>(response);

        freeze.Current.ShouldBe(new FreezeOccurrenceDto(start, end), "UTC, the 700 ns beyond the microsecond dropped");
        (await pipeline.GateAsync(change.Number, service, "production")).Codes().ShouldContain(MustBeOutsideFreeze.Code);
        // The server's clock reads microseconds: at the stored end the freeze is over, on either database.
        App.Time.SetUtcNow(new DateTimeOffset(end, TimeSpan.Zero));
        (await pipeline.GateAsync(change.Number, service, "production")).Codes().ShouldNotContain(MustBeOutsideFreeze.Code);
    }

    [Fact]
    public async Task A_recurring_freeze_shows_its_next_occurrence()
    {
        var service = await S.ServiceAsync();
        // Every day at 22:00 for two hours, from the next 22:00.
        var first = Now.Date.AddDays(1).AddHours(22);

        var nightly = await FreezeAsync("Nightly batch", first, first.AddHours(2), service, "0 22 * * *");

        nightly.Recurrence.ShouldBe("0 22 * * *");
        nightly.Current.ShouldBe(new FreezeOccurrenceDto(first, first.AddHours(2)));
    }

    [Fact]
    public async Task A_freeze_that_is_no_freeze_is_422_naming_each_field_and_nothing_is_stored()
    {
        var before = (await S.Admin.GetJsonAsync<List<FreezeWindowResponse>>("/api/v1/freeze-windows")).Count;

        var problem = await TryFreezeAsync(new CreateFreezeWindowRequest("", Now.AddDays(2), Now.AddDays(1), ["no-such-service"], null))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        problem.Errors!.Keys.ShouldBe(["services[0]"]); // the services are checked first; the rest once they resolve

        var fields = await TryFreezeAsync(new CreateFreezeWindowRequest("", Now.AddDays(2), Now.AddDays(1), null, "every friday"))
            .ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");
        fields.Errors!.Keys.ShouldBe(["name", "end", "recurrence"], ignoreOrder: true);

        (await S.Admin.GetJsonAsync<List<FreezeWindowResponse>>("/api/v1/freeze-windows")).Count.ShouldBe(before);
    }

    [Fact]
    public async Task Submitting_into_a_freeze_is_refused_naming_it_and_allowed_once_it_is_lifted()
    {
        var service = await S.ServiceAsync();
        var requestor = await S.PersonAsync(Role.Requestor, Role.Implementer);
        var draft = await requestor.CreateAsync(S.CompleteChange(service));
        var freeze = await FreezeAsync("Black Friday", draft.PlannedStart!.Value.AddHours(1), draft.PlannedEnd!.Value.AddHours(5), service);

        var refused = await requestor.TryAsync(draft.Number, "submit").ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "freeze-window");
        refused.Detail!.ShouldContain("'Black Friday'");
        refused.Errors!.Keys.ShouldBe(["plannedStart", "plannedEnd"], ignoreOrder: true);
        (await requestor.GetAsync(draft.Number)).State.ShouldBe(ChangeState.Draft);

        // A freeze of another service is no obstacle.
        var other = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        (await requestor.ActAsync(other.Number, "submit")).State.ShouldBe(ChangeState.Submitted);

        var lifted = await ApiClient.ReadAsync<FreezeWindowResponse>(await S.Admin.Http.DeleteAsync($"/api/v1/freeze-windows/{freeze.Id}", Ct));
        lifted.LiftedAt.ShouldNotBeNull();
        lifted.Current.ShouldBeNull("a lifted freeze has no occurrence left");
        (await requestor.ActAsync(draft.Number, "submit")).State.ShouldBe(ChangeState.Submitted);

        await S.Admin.Http.DeleteAsync($"/api/v1/freeze-windows/{freeze.Id}", Ct).ShouldBeProblemAsync(HttpStatusCode.Conflict, "freeze-already-lifted");
        await S.Admin.Http.DeleteAsync($"/api/v1/freeze-windows/{Guid.NewGuid()}", Ct).ShouldBeProblemAsync(HttpStatusCode.NotFound, "not-found");
        var ledger = await S.Admin.GetJsonAsync<LedgerEntriesResponse>("/api/v1/ledger/entries?from=0&count=10000");
        ledger.Entries.Where(e => e.SubjectId == freeze.Id.ToString()).Select(e => e.Action).ShouldBe(["freeze.created", "freeze.lifted"]);
    }

    [Fact]
    public async Task The_gate_denies_production_in_a_freeze_defined_after_approval_and_not_staging()
    {
        var service = await S.ServiceAsync();
        var (_, _, change) = await S.ApprovedChangeAsync(S.CompleteChange(service));
        var pipeline = await S.PipelineAsync();
        await FreezeAsync("Incident freeze", change.PlannedStart!.Value, change.PlannedEnd!.Value, service);
        App.IntoWindow(change);

        var production = await pipeline.GateAsync(change.Number, service, "production");
        production.Codes().ShouldContain(MustBeOutsideFreeze.Code);
        production.Reasons.Single(r => r.Code == MustBeOutsideFreeze.Code).Message.ShouldContain("'Incident freeze'");
        (await pipeline.GateAsync(change.Number, service, "staging")).ShouldAllow();
    }
}

public sealed class FreezeWindowTests_Sqlite(SqliteApp app) : FreezeWindowTests(app), IClassFixture<SqliteApp>;

public sealed class FreezeWindowTests_Postgres(PostgresApp app) : FreezeWindowTests(app), IClassFixture<PostgresApp>;
