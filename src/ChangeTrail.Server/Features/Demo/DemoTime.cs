namespace ChangeTrail.Server.Features.Demo;

/// <summary>
/// The clock the demo seeding runs on: moved by hand through the last ten weeks so the sample changes have a
/// history, and never beyond the real now. Used only to build a <see cref="Hosting.Clock"/> for the seeding.
/// </summary>
public sealed class DemoTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
