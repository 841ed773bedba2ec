using ChangeTrail.Domain.Calendar;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>Reads the freeze windows a decision is judged against.</summary>
public static class FreezeCalendars
{
    /// <summary>
    /// Every freeze not lifted. Admins define a handful, and a recurring one never ends, so there is nothing to gain from
    /// narrowing the read by date; each decision then asks the calendar about the period it concerns.
    /// </summary>
    public static async Task<FreezeCalendar> InForceAsync(ChangeTrailDbContext db, CancellationToken cancellationToken) =>
        new(await db.FreezeWindows.AsNoTracking().Where(f => f.LiftedAt == null).OrderBy(f => f.Start).ToListAsync(cancellationToken));
}
