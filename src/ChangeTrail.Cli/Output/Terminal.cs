using Spectre.Console;

namespace ChangeTrail.Cli.Output;

/// <summary>Creates the Spectre.Console instance a command draws its tables on.</summary>
internal static class Terminal
{
    /// <summary>Wide enough that a redirected table keeps a long title on one line, so grep and tests see it whole.</summary>
    private const int RedirectedWidth = 200;

    /// <summary>
    /// Colour and ANSI only when <paramref name="writer"/> is the real console attached to a terminal; any
    /// other writer (a pipe, a file, a test's StringWriter) gets plain text.
    /// </summary>
    public static IAnsiConsole For(TextWriter writer, IReadOnlyDictionary<string, string?> environment)
    {
        var output = new AnsiConsoleOutput(writer);
        var terminal = output.IsTerminal;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = output,
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
            console.Profile.Width = int.TryParse(environment.GetValueOrDefault("COLUMNS"), out var columns) && columns > 0 ? columns : RedirectedWidth;
        return console;
    }
}
