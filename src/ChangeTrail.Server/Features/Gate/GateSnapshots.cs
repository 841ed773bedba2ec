using ChangeTrail.Domain.Changes;
using ChangeTrail.Domain.Gate;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Domain.Pipeline;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Domain.Services;
using ChangeTrail.Domain.Templates;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Calendar;
using ChangeTrail.Server.Features.Changes;
using ChangeTrail.Server.Features.PolicyExceptions;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Gate;

/// <summary>
/// Reads what the gate's conditions judge, in one place, with one query per kind of record (each by an index). The queries
/// are compiled once: the gate is the hot path of every pipeline, and EF would otherwise translate each query's expression
/// again on every question before finding its plan in the cache.
/// </summary>
public static class GateSnapshots
{
    public static async Task<GateSnapshot> LoadAsync(GateQuestion question, Actor asker, IReadOnlySet<string> scopes, GatePolicy policy,
        ChangeTrailDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var queries = CompiledQueries.For<Queries>(db);
        var change = RecordKey.Parse(question.Change) switch
        {
            { Id: { } id } => await queries.ChangeById(db, id, cancellationToken),
            { Number: { } number } => await queries.ChangeByNumber(db, number, cancellationToken),
            _ => null,
        };
        var service = await queries.ServiceByName(db, Service.Normalize(question.Service), cancellationToken);
        var environment = service?.Environments.FirstOrDefault(e => string.Equals(e.Name, question.Environment, StringComparison.OrdinalIgnoreCase));

        // The commit key is a prefix that finds the rows by index; SameCommit then tells a short SHA from a longer one's twin.
        var key = CommitRef.KeyOf(question.Commit);
        var evidence = new List<TestEvidence>();
        await foreach (var e in queries.EvidenceFor(db, key, change?.Id).WithCancellation(cancellationToken))
        {
            if (CommitRef.SameCommit(e.Commit, question.Commit))
                evidence.Add(e);
        }
        var deployments = new List<Deployment>();
        if (service is not null)
        {
            await foreach (var d in queries.DeploymentsOf(db, service.Id, key).WithCancellation(cancellationToken))
            {
                if (CommitRef.SameCommit(d.Commit, question.Commit))
                    deployments.Add(d);
            }
        }
        var freezes = await FreezeCalendars.InForceAsync(db, cancellationToken);
        // Only a change citing exceptions can have a condition lifted: the others skip the read.
        var exceptions = change is { Exceptions.Count: > 0 } ? await ExceptionRegisters.InForceAsync(db, now, cancellationToken) : ExceptionRegister.None;
        var template = change?.TemplateId is { } templateId ? await queries.TemplateById(db, templateId, cancellationToken) : null;
        return new GateSnapshot(question, change, service, environment, evidence, deployments, freezes, exceptions, asker, scopes, policy, now,
            template);
    }

    /// <summary>The snapshot's queries, compiled once per model (<see cref="CompiledQueries"/>).</summary>
    internal sealed class Queries
    {
        public readonly Func<ChangeTrailDbContext, Guid, CancellationToken, Task<ChangeRequest?>> ChangeById =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, Guid id, CancellationToken _) =>
                db.ChangeRequests.AsNoTracking().SingleOrDefault(c => c.Id == id));

        public readonly Func<ChangeTrailDbContext, long, CancellationToken, Task<ChangeRequest?>> ChangeByNumber =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, long number, CancellationToken _) =>
                db.ChangeRequests.AsNoTracking().SingleOrDefault(c => c.Number == number));

        public readonly Func<ChangeTrailDbContext, Guid, CancellationToken, Task<ChangeTemplate?>> TemplateById =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, Guid id, CancellationToken _) =>
                db.ChangeTemplates.AsNoTracking().SingleOrDefault(t => t.Id == id));

        public readonly Func<ChangeTrailDbContext, string, CancellationToken, Task<Service?>> ServiceByName =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, string normalizedName, CancellationToken _) =>
                db.Services.AsNoTracking().SingleOrDefault(s => s.NormalizedName == normalizedName));

        /// <summary>Evidence of the commit bound to this change, or to no change at all.</summary>
        public readonly Func<ChangeTrailDbContext, string, Guid?, IAsyncEnumerable<TestEvidence>> EvidenceFor =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, string key, Guid? changeId) =>
                db.Evidence.AsNoTracking().Where(e => e.CommitKey == key && (e.ChangeRequestId == null || e.ChangeRequestId == changeId)));

        public readonly Func<ChangeTrailDbContext, Guid, string, IAsyncEnumerable<Deployment>> DeploymentsOf =
            EF.CompileAsyncQuery((ChangeTrailDbContext db, Guid serviceId, string key) =>
                db.Deployments.AsNoTracking().Where(d => d.ServiceId == serviceId && d.CommitKey == key));
    }
}
