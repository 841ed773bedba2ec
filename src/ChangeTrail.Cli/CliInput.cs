using Spectre.Console;

namespace ChangeTrail.Cli;

/// <summary>
/// Where the CLI reads what a person types, which so far is only secrets (<c>login</c>'s passwords): the keyboard of a
/// terminal, without echo, or the lines of a pipe, so a script or a test can give them (<c>printf 'pw\n' | changetrail
/// login ...</c>). Never a command-line argument: those show in <c>ps</c> and in shell history.
/// </summary>
public sealed class CliInput
{
    private readonly TextReader? _lines;

    private CliInput(TextReader? lines) => _lines = lines;

    /// <summary>Nothing to read: every question finds the end of input.</summary>
    public static CliInput None { get; } = new(TextReader.Null);

    /// <summary>The keyboard of the terminal the CLI runs in: prompts on stderr, typing not echoed.</summary>
    public static CliInput Terminal { get; } = new(lines: null);

    /// <summary>Lines read from <paramref name="reader"/>, one answer a line, no prompt shown.</summary>
    public static CliInput FromReader(TextReader reader) => new(reader);

    /// <summary>A person is at a keyboard: a mistyped answer may be asked for again.</summary>
    public bool IsTerminal => _lines is null;

    /// <summary>
    /// One secret: typed at the terminal after <paramref name="prompt"/> (shown on <paramref name="prompts"/>, never
    /// stdout, so <c>--json</c> output stays clean), or the next line of the pipe, exactly as written. Null at the end of
    /// input; a terminal asks again rather than accept an empty answer.
    /// </summary>
    internal async Task<string?> ReadSecretAsync(string prompt, TextWriter prompts, CancellationToken cancellationToken)
    {
        if (_lines is not null)
            return await _lines.ReadLineAsync(cancellationToken);

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(prompts),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.Yes,
        });
        // Secret(null): nothing at all is echoed, not even a mask that would tell an onlooker the length.
        return await new TextPrompt<string>(Markup.Escape(prompt)).Secret(null).ShowAsync(console, cancellationToken);
    }
}
