using ChangeTrail.Contracts;
using ChangeTrail.Domain.Calendar;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>Freeze windows as the API shows them: services and people by name, and the occurrence in force or next.</summary>
public static class FreezeWindowView
{
    /// <summary>How far ahead <c>current</c> looks for a recurring freeze's next occurrence.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(400);

    public static async Task<IReadOnlyList<FreezeWindowResponse>> BuildAsync(IReadOnlyList<FreezeWindow> freezes, ChangeTrailDbContext db,
        DateTime now, CancellationToken cancellationToken)
    {
        var serviceIds = freezes.SelectMany(f => f.Services).Distinct().ToList();
        var services = await db.Services.AsNoTracking().Where(s => serviceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        var people = freezes.Select(f => f.CreatedById).Concat(freezes.Select(f => f.LiftedById).OfType<Guid>()).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => people.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        PersonRef Person(Guid id) => new(id, names.GetValueOrDefault(id, "(unknown)"));

        return freezes.Select(f => new FreezeWindowResponse(f.Id, f.Name, f.Start, f.End,
            f.Services.Select(id => services.TryGetValue(id, out var s)
                ? new ServiceRef(s.Id, s.Name, s.RegulatedData, s.SecurityControl)
                : new ServiceRef(id, "(unknown)", false, false)).ToList(),
            f.Recurrence, Person(f.CreatedById), f.CreatedAt, f.LiftedById is { } lifter ? Person(lifter) : null, f.LiftedAt,
            f.FirstOverlap(now, now + Horizon) is { } o ? new FreezeOccurrenceDto(o.Start, o.End) : null)).ToList();
    }
}
