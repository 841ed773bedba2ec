using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// Races: two approvals arriving together are both recorded, once each; an approval racing a cancel ends
/// with one winner and one 409; a stale or racing edit changes nothing. The forced races hold both
/// requests after their read until both have read, so the overlap is certain rather than hoped for.
/// </summary>
public abstract class ConcurrencyTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Two_approvals_forced_to_overlap_are_both_recorded_once()
    {
        var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S, regulated: true);
        var security = await S.PersonAsync(Role.SecurityReviewer);
        var bothRead = new Rendezvous(2);
        var entriesBefore = await LedgerEntriesOfAsync(change.Id);

        var results = await Task.WhenAll(
            RunAsync(change.Number, Actor(approver, Role.ChangeApprover), OnConflict.Retry, bothRead,
                (c, a, q, now) => c.Decide(a, ApprovalDecision.Approve, "ok", q, now)),
            RunAsync(change.Number, Actor(security, Role.SecurityReviewer), OnConflict.Retry, bothRead,
                (c, a, q, now) => c.Decide(a, ApprovalDecision.Approve, "ok", q, now)));

        results.ShouldAllBe(r => r.IsSuccess);
        var final = await approver.GetAsync(change.Number);
        final.State.ShouldBe(ChangeState.Approved);
        final.Approvals.Select(a => a.Approver.Id).Order().ShouldBe(new[] { approver.Id, security.Id }.Order());
        // The loser's first attempt failed and was retried: its action is in the ledger once, from the retry.
        var entries = await LedgerEntriesOfAsync(change.Id);
        entries.Skip(entriesBefore.Count).Select(e => e.ActorId).Order().ShouldBe(new[] { approver.Id, security.Id }.Order());
    }

    private async Task<List<LedgerEntry>> LedgerEntriesOfAsync(Guid changeId)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var subject = changeId.ToString();
        return await db.LedgerEntries.AsNoTracking().Where(e => e.SubjectId == subject).OrderBy(e => e.Index).ToListAsync(Ct);
    }

    [Fact]
    public async Task An_approval_forced_to_race_a_cancel_has_one_winner_and_one_conflict()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var bothRead = new Rendezvous(2);

        var results = await Task.WhenAll(
            RunAsync(change.Number, Actor(approver, Role.ChangeApprover), OnConflict.Retry, bothRead,
                (c, a, q, now) => c.Decide(a, ApprovalDecision.Approve, "ok", q, now)),
            RunAsync(change.Number, Actor(requestor, Role.Requestor, Role.Implementer), OnConflict.Refuse, bothRead,
                (c, a, _, now) => c.Cancel(a, "changed my mind", now)));

        results.Count(r => r.IsSuccess).ShouldBe(1);
        var loser = results.Single(r => !r.IsSuccess).Error!;
        loser.Kind.ShouldBe(ErrorKind.Conflict);
        var final = await requestor.GetAsync(change.Number);
        if (results[0].IsSuccess)
        {
            final.State.ShouldBe(ChangeState.Approved);
            loser.ShouldBeOfType<ConcurrencyConflict>();
        }
        else
        {
            final.State.ShouldBe(ChangeState.Cancelled);
            final.Approvals.ShouldBeEmpty("the losing approval must not have been saved");
            loser.ShouldBeOfType<InvalidTransition>();
        }
    }

    [Fact]
    public async Task Two_edits_forced_to_race_leave_one_and_refuse_the_other_with_409()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        var actor = Actor(requestor, Role.Requestor);
        var bothRead = new Rendezvous(2);

        ChangeAction Retitle(string title) => async (c, a, now, ct) =>
        {
            await bothRead.ArriveAsync();
            return c.Edit(a, c.Type, c.Content with { Title = title }, [], DefaultRiskQuestionnaire.Instance, now);
        };
        var results = await Task.WhenAll(
            RunRawAsync(change.Number, actor, OnConflict.Refuse, Retitle("First title")),
            RunRawAsync(change.Number, actor, OnConflict.Refuse, Retitle("Second title")));

        results.Count(r => r.IsSuccess).ShouldBe(1);
        results.Single(r => !r.IsSuccess).Error.ShouldBeOfType<ConcurrencyConflict>();
        var final = await requestor.GetAsync(change.Number);
        final.Title.ShouldBe(results.Single(r => r.IsSuccess).Value!.Title);
        final.Version.ShouldBe(change.Version + 1);
    }

    [Fact]
    public async Task Approvals_sent_together_over_HTTP_are_each_recorded_once()
    {
        for (var round = 0; round < 5; round++)
        {
            var (_, approver, change) = await ChangeFlow.SubmittedChangeAsync(S, regulated: true);
            var security = await S.PersonAsync(Role.SecurityReviewer);

            var responses = await Task.WhenAll(approver.TryApproveAsync(change.Number), security.TryApproveAsync(change.Number));

            responses.Select(r => r.StatusCode).ShouldAllBe(s => s == HttpStatusCode.OK);
            var final = await approver.GetAsync(change.Number);
            final.State.ShouldBe(ChangeState.Approved);
            final.Approvals.Count.ShouldBe(2);
        }
    }

    [Fact]
    public async Task A_stale_If_Match_is_refused_with_412_and_changes_nothing()
    {
        var requestor = await S.PersonAsync(Role.Requestor);
        var change = await requestor.CreateAsync(S.CompleteChange(await S.ServiceAsync()));
        var read = await requestor.Client.GetAsync($"/api/v1/changes/{change.Number}");
        var etag = read.Headers.ETag!.Tag;
        etag.ShouldBe($"\"{change.Version}\"");

        await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { title = "Edited elsewhere" },
            new Dictionary<string, string> { ["If-Match"] = etag });
        var stale = await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}", new { title = "Lost update" },
            new Dictionary<string, string> { ["If-Match"] = etag });

        await Task.FromResult(stale).ShouldBeProblemAsync(HttpStatusCode.PreconditionFailed, "precondition-failed");
        (await requestor.GetAsync(change.Number)).Title.ShouldBe("Edited elsewhere");
    }

    [Fact]
    public async Task An_edit_after_submit_returns_the_change_to_draft_and_voids_its_approvals()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S, regulated: true);
        var approved = await approver.ApproveAsync(change.Number);
        approved.RequiredApprovals.Count(r => r.FilledBy is not null).ShouldBe(1);

        var edited = await ApiClient.ReadAsync<ChangeResponse>(await requestor.Client.PatchAsync($"/api/v1/changes/{change.Number}",
            new { rollbackPlan = "Fail over to the standby region, then redeploy." }));

        edited.State.ShouldBe(ChangeState.Draft);
        edited.Approvals.Single().Voided.ShouldBeTrue();
        edited.ContentHash.ShouldNotBe(approved.ContentHash);
        edited.RequiredApprovals.ShouldAllBe(r => r.FilledBy == null);

        // Resubmitted, it needs its approvals anew; the earlier approver may approve again.
        await requestor.ActAsync(change.Number, "submit");
        var again = await approver.ApproveAsync(change.Number);
        again.State.ShouldBe(ChangeState.Submitted);
        again.Approvals.Count(a => !a.Voided).ShouldBe(1);
    }

    private static Actor Actor(Person person, params Role[] roles) => new(person.Id, person.Email, false, roles.ToHashSet());

    private Task<Result<ChangeResponse>> RunAsync(string number, Actor actor, OnConflict onConflict, Rendezvous bothRead,
        Func<ChangeRequest, Actor, RiskQuestionnaire, DateTime, Result> rule) =>
        RunRawAsync(number, actor, onConflict, async (change, a, now, _) =>
        {
            await bothRead.ArriveAsync();
            return rule(change, a, DefaultRiskQuestionnaire.Instance, now);
        });

    private async Task<Result<ChangeResponse>> RunRawAsync(string number, Actor actor, OnConflict onConflict, ChangeAction action)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var command = scope.ServiceProvider.GetRequiredService<ChangeCommand>();
        return await command.RunAsync(number, actor, null, action, onConflict, Ct);
    }

    /// <summary>Holds each party's first arrival until all have arrived; later arrivals (retries) pass straight through.</summary>
    private sealed class Rendezvous(int parties)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task ArriveAsync()
        {
            if (Interlocked.Increment(ref _arrived) == parties)
                _all.TrySetResult();
            return _all.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}

public sealed class ConcurrencyTests_Sqlite(SqliteApp app) : ConcurrencyTests(app), IClassFixture<SqliteApp>;

public sealed class ConcurrencyTests_Postgres(PostgresApp app) : ConcurrencyTests(app), IClassFixture<PostgresApp>;
