using Spectre.Console;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>
/// The progress bars of a verification, drawn on stdout only when it is a terminal: the CLI's shared console is
/// deliberately non-interactive (its fallback would print milestones into logs), so this one is its own.
/// </summary>
internal sealed class SpectreVerifyProgress : IVerifyProgress
{
    private readonly ProgressTask _entries;
    private readonly ProgressTask _records;

    private SpectreVerifyProgress(ProgressContext context, long signed)
    {
        _entries = context.AddTask("Entries", maxValue: Math.Max(1, signed));
        _records = context.AddTask("Records", autoStart: false);
        _records.IsIndeterminate = true;
    }

    public static bool Wanted(TextWriter stdout, bool json) => !json && new AnsiConsoleOutput(stdout).IsTerminal;

    /// <summary>Runs <paramref name="work"/> under live progress bars on <paramref name="stdout"/>, cleared when it ends.</summary>
    public static Task RunAsync(TextWriter stdout, long signed, Func<IVerifyProgress, Task> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(context => work(new SpectreVerifyProgress(context, signed)));
    }

    public void Entries(long done, long signed)
    {
        _entries.MaxValue = Math.Max(1, Math.Max(done, signed));
        _entries.Value = done;
    }

    public void Records(long done)
    {
        if (!_records.IsStarted)
        {
            _entries.Value = _entries.MaxValue;
            _records.StartTask();
        }
        _records.Description = $"Records ({done})";
    }
}
