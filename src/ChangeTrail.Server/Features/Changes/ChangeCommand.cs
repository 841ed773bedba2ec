using ChangeTrail.Contracts;
using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Risk;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Changes;

/// <summary>What to do to a loaded change request; returns the rule's verdict.</summary>
public delegate Task<Result> ChangeAction(ChangeRequest change, Actor actor, DateTime now, CancellationToken cancellationToken);

/// <summary>How a command reacts when another request saved the same change first.</summary>
public enum OnConflict
{
    /// <summary>Refuse with 409: two incompatible transitions end with one winner.</summary>
    Refuse,
    /// <summary>Re-read and re-apply: two valid approvals arriving together are both recorded.</summary>
    Retry,
}

/// <summary>
/// The one way every use case changes a change request: load it, let the aggregate decide, save the new
/// state and its timeline together, and turn a lost race into a 409 (or a retry) without saving anything.
/// The API endpoints and the web UI both call it, so neither holds a second copy of the rules.
/// </summary>
public sealed class ChangeCommand(ChangeTrailDbContext db, Clock clock, RiskQuestionnaire questionnaire, Notifier notifier)
{
    private const int MaxAttempts = 5;

    public async Task<Result<ChangeResponse>> RunAsync(string idOrNumber, Actor actor, int? expectedVersion, ChangeAction action,
        OnConflict onConflict, CancellationToken cancellationToken)
    {
        var saved = await SaveAsync(idOrNumber, actor, expectedVersion, action, onConflict, cancellationToken);
        return saved.IsSuccess
            ? await ChangeView.BuildAsync(saved.Value!, db, questionnaire, clock.UtcNow, cancellationToken)
            : saved.Error!;
    }

    /// <summary>
    /// <see cref="RunAsync(string, Actor, int?, ChangeAction, OnConflict, CancellationToken)"/> without the view: for a use case
    /// that answers with a record of its own (a deployment) and would only throw the change's view away.
    /// </summary>
    public async Task<Result<ChangeRequest>> SaveAsync(string idOrNumber, Actor actor, int? expectedVersion, ChangeAction action,
        OnConflict onConflict, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var change = await db.ChangeRequests.ByIdOrNumber(idOrNumber).SingleOrDefaultAsync(cancellationToken);
            if (change is null)
                return new RecordNotFound($"Change request {idOrNumber}");
            // The client's precondition concerns what it last saw, so it is checked on the first read only.
            if (attempt == 1 && expectedVersion is { } expected && expected != change.Version)
                return new VersionMismatch(change.DisplayNumber, change.Version);

            var now = clock.UtcNow;
            var loadedVersion = change.Version;
            var result = await action(change, actor, now, cancellationToken);
            if (!result.IsSuccess)
                return result.Error!;
            // Announced in the same save as the step, or not at all.
            await ChangeNotifications.AddAsync(db, notifier, change, now, cancellationToken);

            try
            {
                // The save takes the change's timeline events and its ledger entry from the aggregate itself.
                await db.SaveChangesAsync(cancellationToken);
                return change;
            }
            catch (DbUpdateException e)
            {
                if (e is not DbUpdateConcurrencyException && !await MovedSinceAsync(change.Id, loadedVersion, cancellationToken))
                    throw;
                // This attempt's action was not saved, and a failed save queues it again: drop it, since a next
                // attempt reads the change afresh and records its own.
                db.ChangeTracker.Clear();
                db.DiscardRecorded();
                if (onConflict == OnConflict.Refuse || attempt == MaxAttempts)
                    return new ConcurrencyConflict(change.DisplayNumber);
            }
        }
    }

    /// <summary>
    /// Another request may lose on the timeline's unique (change, version) index before the version check on
    /// the change itself runs; either way the change moved on since it was read.
    /// </summary>
    private async Task<bool> MovedSinceAsync(Guid id, int loadedVersion, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.ChangeRequests.AsNoTracking().Where(c => c.Id == id).Select(c => c.Version).SingleAsync(cancellationToken) != loadedVersion;
    }

    public Task<Result<ChangeResponse>> RunAsync(string idOrNumber, Actor actor, int? expectedVersion,
        Func<ChangeRequest, DateTime, Result> action, OnConflict onConflict, CancellationToken cancellationToken) =>
        RunAsync(idOrNumber, actor, expectedVersion, (change, _, now, _) => Task.FromResult(action(change, now)), onConflict, cancellationToken);
}

/// <summary>HTTP plumbing shared by the change endpoints: ETag out, If-Match in, errors as problems.</summary>
public static class ChangeHttp
{
    public static Results<Ok<ChangeResponse>, ProblemHttpResult> ToHttp(this Result<ChangeResponse> result, HttpContext http)
    {
        if (!result.IsSuccess)
            return Problems.From(result.Error!);
        http.Response.Headers.ETag = ETagOf(result.Value!.Version);
        return TypedResults.Ok(result.Value);
    }

    public static string ETagOf(int version) => $"\"{version}\"";

    /// <summary>The version an <c>If-Match</c> header names, if any. A malformed one can never match.</summary>
    public static int? ExpectedVersion(HttpContext http)
    {
        string? header = http.Request.Headers.IfMatch;
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
            return null;
        var value = header.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
            value = value[2..];
        return int.TryParse(value.Trim('"'), out var version) ? version : -1;
    }
}
