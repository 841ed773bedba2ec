using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.PolicyExceptions;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Changes;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.PolicyExceptions;

/// <summary>Resolves the exceptions a change cites, named by id or number (EX-3), as the change's fields give them.</summary>
public static class ExceptionReferences
{
    public const int ReferenceMaxLength = 100;

    /// <summary>
    /// The ids of <paramref name="references"/>, each error named by its place (<c>exceptions[1]</c>). An exception newly cited
    /// must still be able to take effect: requested or approved, and not expired. One the change already cites stays citable
    /// whatever became of it, so an unrelated edit is not refused; it simply lifts nothing any more.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> ResolveAsync(ChangeTrailDbContext db, IReadOnlyList<string?>? references,
        IReadOnlyCollection<Guid> alreadyCited, DateTime now, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (references is not { Count: > 0 })
            return [];
        var keys = references.Select(r => RecordKey.Parse(r?.Trim() ?? "", RecordKey.ExceptionPrefix)).ToList();
        var ids = keys.Select(k => k.Id).OfType<Guid>().ToList();
        var numbers = keys.Select(k => k.Number).OfType<long>().ToList();
        var found = await db.PolicyExceptions.AsNoTracking()
            .Where(e => ids.Contains(e.Id) || numbers.Contains(e.Number))
            .ToListAsync(cancellationToken);

        var resolved = new List<Guid>();
        for (var i = 0; i < references.Count; i++)
        {
            // An id is the longest way to name one; anything longer names none, and is not repeated back.
            if (references[i] is { Length: > ReferenceMaxLength })
            {
                errors.Add($"exceptions[{i}]", $"At most {ReferenceMaxLength} characters: an exception's number (EX-3) or id.");
                continue;
            }
            var key = keys[i];
            var exception = found.FirstOrDefault(e => e.Id == key.Id || e.Number == key.Number);
            if (exception is null)
            {
                errors.Add($"exceptions[{i}]", $"There is no policy exception '{references[i]}'.");
                continue;
            }
            var status = exception.StatusAt(now);
            if (!alreadyCited.Contains(exception.Id) && status is not (PolicyExceptionStatus.Requested or PolicyExceptionStatus.Approved))
                errors.Add($"exceptions[{i}]", $"{exception.DisplayNumber} is {status.ToString().ToLowerInvariant()}; it can lift nothing.");
            resolved.Add(exception.Id);
        }
        return resolved;
    }
}
