using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.Json;
using ChangeTrail.Cli.Commands.Changes;
using ChangeTrail.Cli.Commands.Evidence;
using ChangeTrail.Cli.Commands.Pipeline;

namespace ChangeTrail.Cli;

/// <summary>
/// The <c>changetrail</c> command line. Everything it touches is passed in (writers, environment, HTTP
/// handler), so tests run it in-process against a test server exactly as a shell would.
/// </summary>
public static class CliApp
{
    public const string Name = "changetrail";

    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="stdout">Results: tables, summaries, or JSON with <c>--json</c>.</param>
    /// <param name="stderr">Errors and refusals.</param>
    /// <param name="environment">Environment variables: <c>CHANGETRAIL_URL</c>, <c>CHANGETRAIL_TOKEN</c>, and <c>XDG_CONFIG_HOME</c> or <c>HOME</c> for the configuration file.</param>
    /// <param name="handler">Reaches the server instead of the network (tests); null for a real connection.</param>
    /// <param name="cancellationToken">Cancels the request in flight.</param>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string?> environment, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default) =>
        RunAsync(args, CliInput.None, stdout, stderr, environment, handler, cancellationToken);

    /// <summary>As the other overload, with what a person types (<c>login</c>'s passwords) read from <paramref name="stdin"/>.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="stdin">The terminal (no echo), or lines piped in; <see cref="CliInput.None"/> when there is nothing to read.</param>
    /// <param name="stdout">Results: tables, summaries, or JSON with <c>--json</c>.</param>
    /// <param name="stderr">Errors, refusals and prompts.</param>
    /// <param name="environment">Environment variables: <c>CHANGETRAIL_URL</c>, <c>CHANGETRAIL_TOKEN</c>, and <c>XDG_CONFIG_HOME</c> or <c>HOME</c> for the configuration file.</param>
    /// <param name="handler">Reaches the server instead of the network (tests); null for a real connection.</param>
    /// <param name="cancellationToken">Cancels the request in flight.</param>
    public static async Task<int> RunAsync(string[] args, CliInput stdin, TextWriter stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string?> environment, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(stdout, stderr, stdin, environment, handler);
        var deploy = DeployCommand.Create(context);
        var root = new RootCommand("ChangeTrail change management from the command line.")
        {
            Commands.Login.LoginCommand.Create(context),
            Commands.Login.LogoutCommand.Create(context),
            ChangesCommand.Create(context),
            GateCommand.Create(context),
            deploy,
            EvidenceCommand.Create(context),
            VerifyChangeCommand.Create(context),
            RollbackCommand.Create(context),
            Commands.Ledger.LedgerCommand.Create(context, environment),
            Commands.Export.ExportCommand.Create(context),
        };
        context.Options.AddTo(root);

        var parse = root.Parse(args);
        // System.CommandLine would exit 1 on a parse error, which the contract reserves for "denied".
        if (parse.Action is ParseErrorAction)
            return ReportUsageErrors(parse, stderr);

        var invocation = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // Unexpected exceptions are reported below with a contract exit code, not as a stack trace with 1.
            EnableDefaultExceptionHandler = false,
        };
        // deploy handles termination requests itself: it passes them on to the deploy command it runs and stays to record
        // how the deployment ended, where System.CommandLine would give up on it after two seconds.
        if (parse.CommandResult.Command == deploy)
            invocation.ProcessTerminationTimeout = null;
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (JsonException exception)
        {
            stderr.WriteLine($"error: the server's answer could not be read ({exception.Message}); is --url a ChangeTrail server of a compatible version?");
            return ExitCodes.UsageOrConnection;
        }
    }

    private static int ReportUsageErrors(ParseResult parse, TextWriter stderr)
    {
        foreach (var error in parse.Errors)
            stderr.WriteLine($"error: {error.Message}");
        stderr.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
        return ExitCodes.UsageOrConnection;
    }

    /// <summary>"changetrail changes create": the root's own name is the host's (testhost, dotnet), so it is replaced.</summary>
    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult { Parent: not null } current; result = current.Parent)
            names.Insert(0, current.Command.Name);
        names.Insert(0, Name);
        return string.Join(' ', names);
    }
}
