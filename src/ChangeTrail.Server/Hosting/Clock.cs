namespace ChangeTrail.Server.Hosting;

/// <summary>
/// The only source of "now" for stored instants. PostgreSQL keeps microseconds and SQLite keeps ticks,
/// so instants are truncated to microseconds here: a value reads back equal from either database.
/// </summary>
public sealed class Clock(TimeProvider time)
{
    public DateTime UtcNow => Truncate(time.GetUtcNow().UtcDateTime);

    /// <summary>
    /// A time a client sent, as it will be stored: without an offset it is taken as UTC (as the API documents); with one,
    /// converted; either way truncated to microseconds like <see cref="UtcNow"/>. Otherwise a freeze ending at 10:00:00.0000007
    /// would still cover the clock's 10:00:00.000000, and SQLite would keep the 700 ns that PostgreSQL drops.
    /// </summary>
    public static DateTime? AsUtc(DateTime? value) => value switch
    {
        null => null,
        { Kind: DateTimeKind.Unspecified } v => Truncate(DateTime.SpecifyKind(v, DateTimeKind.Utc)),
        { } v => Truncate(v.ToUniversalTime()),
    };

    public static DateTime Truncate(DateTime value) =>
        new(value.Ticks - value.Ticks % (TimeSpan.TicksPerMillisecond / 1000), DateTimeKind.Utc);
}
