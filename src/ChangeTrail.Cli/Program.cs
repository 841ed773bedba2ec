using System.Collections;

namespace ChangeTrail.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var environment = Environment.GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value, StringComparer.Ordinal);
        return CliApp.RunAsync(args, Console.Out, Console.Error, environment);
    }
}
