using System.Collections;

namespace ChangeTrail.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var environment = Environment.GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value, StringComparer.Ordinal);
        // A terminal is asked without echo; a pipe gives its lines (scripts: printf 'pw\n' | changetrail login ...).
        var stdin = Console.IsInputRedirected ? CliInput.FromReader(Console.In) : CliInput.Terminal;
        return CliApp.RunAsync(args, stdin, Console.Out, Console.Error, environment);
    }
}
