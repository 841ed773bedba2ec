namespace ChangeTrail.Server.Hosting;

/// <summary>
/// The only source of "now" for stored instants. PostgreSQL keeps microseconds and SQLite keeps ticks,
/// so instants are truncated to microseconds here: a value reads back equal from either database.
/// </summary>
public sealed class Clock(TimeProvider time)
{
    public DateTime UtcNow => Truncate(time.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime value) =>
        new(value.Ticks - value.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);
}
