using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ChangeTrail.Cli.Commands.Pipeline;

/// <summary>How the deploy command ended: its exit code, and the signal that interrupted it, if one did.</summary>
/// <param name="StartError">Why it could not be started at all (no such file, not executable), or null.</param>
internal sealed record DeployOutcome(int ExitCode, PosixSignal? Interrupted, string? StartError)
{
    public bool Succeeded => ExitCode == 0 && Interrupted is null && StartError is null;
}

/// <summary>
/// Runs the command of <c>changetrail deploy -- command...</c> as a child process that inherits stdin, stdout and stderr,
/// so its output reaches the pipeline's log as it is written, and its terminal, colours and prompts behave as without
/// ChangeTrail. From creation to disposal, a termination request (SIGTERM, SIGINT, SIGQUIT, SIGHUP) does not end the
/// CLI: while the child runs it is passed on to it, and the CLI waits for the child to exit and records how the
/// deployment ended (failed) before it exits itself.
/// </summary>
internal sealed class DeployProcess : IDisposable
{
    /// <summary>What shells answer for a command they cannot find or run.</summary>
    public const int CannotRun = 127;

    private readonly bool _forwardInterrupt;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Lock _lock = new();
    private Process? _child;

    /// <param name="forwardInterrupt">
    /// Whether to pass SIGINT on. Not when a person runs the CLI at a terminal: the terminal sends Ctrl-C to the child itself
    /// (both are in its foreground process group), and a second interrupt makes some tools (terraform) abort hard.
    /// </param>
    public DeployProcess(bool forwardInterrupt)
    {
        _forwardInterrupt = forwardInterrupt;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
    }

    /// <summary>The first termination request received, if any.</summary>
    public PosixSignal? Interrupted { get; private set; }

    /// <summary>Runs <paramref name="command"/> (the program and its arguments, passed as they are, no shell between) to its end.</summary>
    public async Task<DeployOutcome> RunAsync(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        lock (_lock)
        {
            if (Interrupted is { } early)
                return new DeployOutcome(128 + UnixNumber(early), early, "interrupted before it started");
            try
            {
                process.Start();
            }
            catch (Win32Exception exception)
            {
                return new DeployOutcome(CannotRun, null, exception.Message);
            }
            _child = process;
        }
        // Not cancellable: the child runs to its end, however the CLI is asked to stop.
        await process.WaitForExitAsync(CancellationToken.None);
        lock (_lock)
            _child = null;
        return new DeployOutcome(process.ExitCode, Interrupted, null);
    }

    private void OnSignal(PosixSignalContext signal)
    {
        // The CLI stays to record how the deployment ended; the child decides how fast it stops.
        signal.Cancel = true;
        lock (_lock)
        {
            Interrupted ??= signal.Signal;
            if (_child is { } child && (signal.Signal != PosixSignal.SIGINT || _forwardInterrupt))
                Forward(child, signal.Signal);
        }
    }

    /// <summary>The CLI's own exit code for this outcome: the command's, within what a shell can see (1 to 255).</summary>
    public static int ExitCodeOf(DeployOutcome outcome) => outcome switch
    {
        { ExitCode: 0, Interrupted: { } signal } => 128 + UnixNumber(signal),
        { ExitCode: >= 0 and <= 255 } => outcome.ExitCode,
        _ => ExitCodes.Denied,
    };

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }

    /// <summary>The command as a person would type it, for messages.</summary>
    public static string Display(IReadOnlyList<string> command) =>
        string.Join(' ', command.Select(part => part.Length > 0 && part.All(c => char.IsLetterOrDigit(c) || "-_./=:@,+%".Contains(c))
            ? part
            : $"'{part.Replace("'", "'\\''", StringComparison.Ordinal)}'"));

    private static void Forward(Process child, PosixSignal signal)
    {
        // On Windows the console delivers Ctrl-C and Ctrl-Break to every process attached to it, the child included.
        if (!OperatingSystem.IsWindows() && !child.HasExited)
            _ = Kill(child.Id, UnixNumber(signal));
    }

    /// <summary>The signal's number, the same on Linux and macOS for these four.</summary>
    private static int UnixNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };

    // DllImport rather than LibraryImport, whose generated code would need the project to allow unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}
