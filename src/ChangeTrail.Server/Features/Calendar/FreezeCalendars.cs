using ChangeTrail.Domain.Calendar;
using ChangeTrail.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Calendar;

/// <summary>Reads the freeze windows a decision is judged against.</summary>
public static class FreezeCalendars
{
    /// <summary>
    /// Every freeze not lifted. Admins define a handful, and a recurring one never ends, so there is nothing to gain from
    /// narrowing the read by date; each decision then asks the calendar about the period it concerns. Compiled: every gate
    /// question reads it.
    /// </summary>
    public static async Task<FreezeCalendar> InForceAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var freezes = new List<FreezeWindow>();
        await foreach (var freeze in CompiledQueries.For<Queries>(db).InForce(db).WithCancellation(cancellationToken))
            freezes.Add(freeze);
        return new FreezeCalendar(freezes);
    }

    internal sealed class Queries
    {
        public readonly Func<ChangeTrailDbContext, IAsyncEnumerable<FreezeWindow>> InForce =
            EF.CompileAsyncQuery<ChangeTrailDbContext, FreezeWindow>(db =>
                db.FreezeWindows.AsNoTracking().Where(f => f.LiftedAt == null).OrderBy(f => f.Start));
    }
}
