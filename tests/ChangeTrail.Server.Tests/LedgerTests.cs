using System.Net;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Ledger;
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
/// Every action appends its ledger entry in the same transaction as the action: refused or lost actions
/// append nothing, the log has no gaps, and the stored subtree hashes agree with a tree built from the leaves.
/// </summary>
public abstract class LedgerTests(ChangeTrailApp app) : ProviderTests(app)
{
    [Fact]
    public async Task Each_change_action_appends_one_entry_holding_the_change_as_it_now_stands()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        await approver.ApproveAsync(change.Number);

        var entries = await EntriesForAsync(LedgerSubjects.ChangeRequest.Type, change.Id.ToString());
        entries.Select(e => e.Action).ShouldBe(["change.created", "change.submitted", "change.approved"]);
        entries.Select(e => e.ActorId).ShouldBe([requestor.Id, requestor.Id, approver.Id]);

        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var current = await db.ChangeRequests.AsNoTracking().SingleAsync(c => c.Id == change.Id, Ct);
        entries[^1].Record.ShouldBe(CanonicalRecords.Of(current), "the latest entry is the record as it stands");
        current.State.ShouldBe(ChangeState.Approved);
    }

    [Fact]
    public async Task A_refused_action_appends_nothing()
    {
        var (requestor, _, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var before = await SizeAsync();

        await requestor.TryApproveAsync(change.Number).ShouldBeProblemAsync(HttpStatusCode.Forbidden, "self-approval-forbidden");
        await requestor.Client.PostAsync("/api/v1/changes", new ChangeFields(null, "no type", null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null)).ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "validation-failed");

        (await SizeAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Identity_actions_are_recorded_too()
    {
        var person = await S.PersonAsync(Role.Requestor);
        var extra = await person.Client.PostJsonAsync<CreatedTokenResponse>($"/api/v1/users/{person.Id}/tokens",
            new CreateTokenRequest("extra", [Scopes.ChangesRead], null));
        await person.Client.Http.DeleteAsync($"/api/v1/tokens/{extra.Id}", Ct);
        await S.Admin.PostAsync($"/api/v1/users/{person.Id}/deactivate");
        var service = await S.ServiceAsync();

        (await EntriesForAsync(LedgerSubjects.User.Type, person.Id.ToString())).Select(e => e.Action)
            .ShouldBe(["user.created", "user.password-changed", "user.deactivated"]);
        (await EntriesForAsync(LedgerSubjects.ApiToken.Type, extra.Id.ToString())).Select(e => e.Action)
            .ShouldBe(["token.created", "token.revoked"]);
        var services = await AllEntriesAsync();
        services.ShouldContain(e => e.Action == "service.created" && e.Record!.Contains($"\"name\":\"{service}\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_loser_of_a_race_leaves_no_entry_and_the_log_has_no_gap()
    {
        var (requestor, approver, change) = await ChangeFlow.SubmittedChangeAsync(S);
        var before = await SizeAsync();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;

        async Task<Domain.Common.Result<ChangeResponse>> Run(Actor actor, Func<ChangeRequest, DateTime, Domain.Common.Result> rule, OnConflict onConflict)
        {
            await using var scope = App.Services.CreateAsyncScope();
            var command = scope.ServiceProvider.GetRequiredService<ChangeCommand>();
            return await command.RunAsync(change.Number, actor, null, async (c, _, now, ct) =>
            {
                if (Interlocked.Increment(ref arrived) == 2)
                    both.TrySetResult();
                await both.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
                return rule(c, now);
            }, onConflict, Ct);
        }

        var approverActor = new Actor(approver.Id, approver.Email, false, new HashSet<Role> { Role.ChangeApprover });
        var requestorActor = new Actor(requestor.Id, requestor.Email, false, new HashSet<Role> { Role.Requestor, Role.Implementer });
        var results = await Task.WhenAll(
            Run(approverActor, (c, now) => c.Decide(approverActor, ApprovalDecision.Approve, "ok", DefaultRiskQuestionnaire.Instance, now), OnConflict.Refuse),
            Run(requestorActor, (c, now) => c.Cancel(requestorActor, "no", now), OnConflict.Refuse));

        results.Count(r => r.IsSuccess).ShouldBe(1);
        (await SizeAsync()).ShouldBe(before + 1);
        var last = (await EntriesForAsync(LedgerSubjects.ChangeRequest.Type, change.Id.ToString()))[^1];
        last.Action.ShouldBe(results[0].IsSuccess ? "change.approved" : "change.cancelled");
        await TheStoredTreeMatchesItsLeavesAsync();
    }

    [Fact]
    public async Task Concurrent_writers_produce_one_gapless_log_whose_stored_nodes_match_its_leaves()
    {
        var requestors = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => S.PersonAsync(Role.Requestor)));
        var service = await S.ServiceAsync();
        var before = await SizeAsync();

        await Task.WhenAll(requestors.SelectMany(r => Enumerable.Range(0, 5).Select(_ => r.CreateAsync(S.CompleteChange(service)))));

        (await SizeAsync()).ShouldBe(before + 20);
        await TheStoredTreeMatchesItsLeavesAsync();
    }

    /// <summary>
    /// Every leaf hash recomputes from its entry, indexes run 0..n-1, and once integrated, every stored node is the
    /// subtree hash of the leaves below it, and there is one for every complete subtree.
    /// </summary>
    private async Task TheStoredTreeMatchesItsLeavesAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        var entries = await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Index).ToListAsync(Ct);
        var size = (await db.LedgerHeads.AsNoTracking().SingleAsync(Ct)).Size;
        entries.Select(e => e.Index).ShouldBe(Enumerable.Range(0, (int)size).Select(i => (long)i));
        foreach (var entry in entries)
            Hash32.FromBytes(entry.LeafHash).ShouldBe(entry.ComputeLeafHash(), $"leaf {entry.Index}");

        var tree = MerkleTree.FromLeafHashes(entries.Select(e => Hash32.FromBytes(e.LeafHash)));
        (await LedgerIntegrator.IntegrateAsync(db, Ct)).ShouldBe(size);
        var nodes = await db.LedgerNodes.AsNoTracking().ToListAsync(Ct);
        foreach (var node in nodes)
            Hash32.FromBytes(node.Hash).ShouldBe(tree.SubtreeHash(node.Index << node.Level, 1L << node.Level), $"node {node.Level}/{node.Index}");
        nodes.Count.ShouldBe(Enumerable.Range(1, 62).Sum(level => (int)(size >> level)));
        var stored = await LedgerNodeStore.LoadAsync(db, MerkleMath.RootHashNodes(size), Ct);
        MerkleMath.RootHash(size, (start, length) => stored[NodeId.FromRange(start, length)]).ShouldBe(tree.RootHash());
    }

    private async Task<long> SizeAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        return (await db.LedgerHeads.AsNoTracking().SingleAsync(Ct)).Size;
    }

    private async Task<List<LedgerEntry>> EntriesForAsync(string type, string id)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        return await db.LedgerEntries.AsNoTracking().Where(e => e.SubjectType == type && e.SubjectId == id).OrderBy(e => e.Index).ToListAsync(Ct);
    }

    private async Task<List<LedgerEntry>> AllEntriesAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        return await db.LedgerEntries.AsNoTracking().OrderBy(e => e.Index).ToListAsync(Ct);
    }
}

public sealed class LedgerTests_Sqlite(SqliteApp app) : LedgerTests(app), IClassFixture<SqliteApp>;

public sealed class LedgerTests_Postgres(PostgresApp app) : LedgerTests(app), IClassFixture<PostgresApp>;
