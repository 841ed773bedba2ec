using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using ChangeTrail.Cli.Output;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Ledger.Checkpoints;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>
/// <c>ledger verify</c>: proves, with a public key the user holds, that the log the server (or a bundle) serves is
/// the one it signed, that it extends the one verified last time, and that every record is what its latest entry
/// says. Exit 0 verified, 1 a disagreement (named on stderr), 2 usage or connection problems.
/// </summary>
internal static class VerifyLedgerCommand
{
    public const string PublicKeyVariable = "CHANGETRAIL_LEDGER_PUBLIC_KEY";

    /// <summary>The API's conventions, with keys' '+' and other text written as is rather than as \u escapes.</summary>
    private static readonly JsonSerializerOptions JsonOutput = new(ApiJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext context, IReadOnlyDictionary<string, string?> environment)
    {
        var publicKey = new Option<string[]>("--public-key")
        {
            Description = $"The ledger's verifier key (name+keyid+base64), from a trusted channel; repeat for old keys. Defaults to ${PublicKeyVariable}.",
            HelpName = "KEY",
        };
        var publicKeyFile = new Option<FileInfo>("--public-key-file")
        {
            Description = "A file of verifier keys, one per line (blank lines and # comments ignored).",
            HelpName = "FILE",
        }.AcceptExistingOnly();
        var stateFile = new Option<FileInfo>("--state-file")
        {
            Description = "Where the last verified checkpoint is remembered; defaults to ~/.config/changetrail/ledger-state.json.",
            HelpName = "FILE",
        };
        var bundle = new Option<FileInfo>("--bundle")
        {
            Description = "Verify an exported bundle (ZIP) offline instead of asking the server.",
            HelpName = "FILE",
        }.AcceptExistingOnly();
        var held = new Option<FileInfo[]>("--checkpoint")
        {
            Description = "A signed checkpoint you hold (a witness's copy, an earlier export's checkpoint.txt); the log must extend it. Repeatable.",
            HelpName = "NOTE",
        }.AcceptExistingOnly();

        var command = new Command("verify",
            "Recompute every leaf and the root, check the signed checkpoint, consistency with the last one verified and with the " +
            "checkpoints you hold, and every record.")
        {
            publicKey, publicKeyFile, stateFile, bundle, held,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(publicKey) is not null && result.GetResult(publicKeyFile) is not null)
                result.AddError("--public-key cannot be combined with --public-key-file.");
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            var keys = ReadKeys(context, parse.GetValue(publicKey), parse.GetValue(publicKeyFile), environment.GetValueOrDefault(PublicKeyVariable));
            if (keys is null)
                return ExitCodes.UsageOrConnection;
            var notes = ReadNotes(context, parse.GetValue(held) ?? []);
            if (notes is null)
                return ExitCodes.UsageOrConnection;
            var run = new Run(context, context.Json(parse), keys.Count == 0 ? null : keys, notes);
            LedgerState state;
            try
            {
                state = LedgerState.Load(parse.GetValue(stateFile)?.FullName ?? LedgerState.DefaultPath(environment));
            }
            catch (LedgerSourceException exception)
            {
                return run.Report(exception);
            }

            if (parse.GetValue(bundle) is { } path)
            {
                BundleLedgerSource source;
                try
                {
                    source = BundleLedgerSource.Open(path.FullName);
                }
                catch (LedgerSourceException exception)
                {
                    return run.Report(exception);
                }
                using (source)
                    return await run.VerifyAsync(source, state, cancellationToken);
            }

            var url = context.ResolveUrl(parse);
            var address = Uri.TryCreate(url, UriKind.Absolute, out var server) ? server.AbsoluteUri : url;
            return await context.WithServerAsync(parse, client => run.VerifyAsync(new ServerLedgerSource(client, address), state, cancellationToken));
        });
        return command;
    }

    /// <summary>
    /// The keys the user vouches for: <c>--public-key</c>, else <c>--public-key-file</c>, else the environment. Empty when
    /// none is given; null (after saying why on stderr) when one cannot be read.
    /// </summary>
    private static List<NoteVerifier>? ReadKeys(CliContext context, string[]? options, FileInfo? file, string? variable)
    {
        string origin;
        IEnumerable<string> texts;
        if (options is { Length: > 0 })
        {
            (origin, texts) = ("--public-key", options);
        }
        else if (file is not null)
        {
            try
            {
                texts = File.ReadAllLines(file.FullName).Where(line => !line.TrimStart().StartsWith('#'));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                context.Error.WriteLine($"error: cannot read {file.FullName}: {exception.Message}");
                return null;
            }
            origin = file.FullName;
        }
        else if (!string.IsNullOrWhiteSpace(variable))
        {
            (origin, texts) = ($"${PublicKeyVariable}", [variable]);
        }
        else
        {
            return [];
        }

        var keys = new List<NoteVerifier>();
        foreach (var text in texts.SelectMany(t => t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))
        {
            var parsed = NoteVerifier.Parse(text);
            if (!parsed.IsSuccess)
            {
                context.Error.WriteLine($"error: {origin}: '{text}' is not a ledger verifier key: {parsed.Detail}");
                return null;
            }
            keys.Add(parsed.Value);
        }
        if (keys.Count == 0)
        {
            context.Error.WriteLine($"error: {origin} holds no verifier key.");
            return null;
        }
        return keys;
    }

    /// <summary>The text of each <c>--checkpoint</c> file, named by its path; null (after saying why) when one cannot be read.</summary>
    private static List<(string Name, string Note)>? ReadNotes(CliContext context, IEnumerable<FileInfo> files)
    {
        var notes = new List<(string, string)>();
        foreach (var file in files)
        {
            try
            {
                notes.Add((file.FullName, File.ReadAllText(file.FullName)));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                context.Error.WriteLine($"error: cannot read {file.FullName}: {exception.Message}");
                return null;
            }
        }
        return notes;
    }

    /// <summary>One verification: runs <see cref="LedgerVerifier"/> on a source and reports the outcome.</summary>
    private sealed class Run(CliContext context, bool json, IReadOnlyList<NoteVerifier>? givenKeys, IReadOnlyList<(string Name, string Note)> heldNotes)
    {
        private int _warningsShown;

        public async Task<int> VerifyAsync(ILedgerSource source, LedgerState state, CancellationToken cancellationToken)
        {
            var verifier = new LedgerVerifier(source, state);
            var report = verifier.Report;
            try
            {
                var trusted = await verifier.OpenCheckpointAsync(givenKeys, cancellationToken);
                var held = verifier.OpenHeld(heldNotes, trusted, givenKeys);
                ShowWarnings(report);
                if (SpectreVerifyProgress.Wanted(context.Out, json))
                {
                    await SpectreVerifyProgress.RunAsync(context.Out, trusted.Checkpoint.TreeSize,
                        progress => verifier.CheckAsync(trusted, held, progress, cancellationToken));
                }
                else
                {
                    await verifier.CheckAsync(trusted, held, IVerifyProgress.None, cancellationToken);
                }

                if (verifier.NewState(trusted, DateTime.UtcNow) is { } verified)
                {
                    try
                    {
                        state.Save(verified);
                    }
                    catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                    {
                        report.Warnings.Add($"the verified checkpoint could not be saved to {state.Path}: {exception.Message}");
                    }
                }
                report.Verified = true;
                ShowWarnings(report);
                if (json)
                    context.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput));
                else
                    context.Out.WriteLine(Summary(report));
                return ExitCodes.Success;
            }
            catch (LedgerMismatchException mismatch)
            {
                report.Failure = mismatch.Failure;
                ShowWarnings(report);
                context.Error.WriteLine($"error: ledger verification failed: {mismatch.Failure.Message}");
                if (json)
                    context.Out.WriteLine(JsonSerializer.Serialize(report, JsonOutput));
                return ExitCodes.Denied;
            }
            catch (LedgerSourceException exception)
            {
                ShowWarnings(report);
                return Report(exception);
            }
        }

        public int Report(LedgerSourceException exception)
        {
            if (!exception.Reported)
                context.Error.WriteLine($"error: {exception.Message}");
            return exception.ExitCode;
        }

        private void ShowWarnings(LedgerReport report)
        {
            for (; _warningsShown < report.Warnings.Count; _warningsShown++)
                context.Error.WriteLine($"warning: {report.Warnings[_warningsShown]}");
        }

        private static string Summary(LedgerReport report)
        {
            var line = string.Create(CultureInfo.InvariantCulture,
                $"Ledger verified: size {report.TreeSize}, root {report.RootHash}, origin {report.Origin}; " +
                $"{report.EntriesChecked} {Plural(report.EntriesChecked, "entry", "entries")} and " +
                $"{report.RecordsChecked} {Plural(report.RecordsChecked, "record", "records")} checked");
            if (report.ConsistentWith is { } before)
                line += string.Create(CultureInfo.InvariantCulture, $", consistent with size {before.TreeSize} verified {Formats.When(before.VerifiedAt)}");
            if (report.HeldCheckpoints.Count > 0)
            {
                line += string.Create(CultureInfo.InvariantCulture,
                    $", extending the {report.HeldCheckpoints.Count} {Plural(report.HeldCheckpoints.Count, "checkpoint", "checkpoints")} you hold " +
                    $"(sizes {string.Join(", ", report.HeldCheckpoints.Select(h => h.TreeSize))})");
            }
            if (report.EntriesAfterCheckpoint > 0)
            {
                line += string.Create(CultureInfo.InvariantCulture,
                    $", {report.EntriesAfterCheckpoint} newer {Plural(report.EntriesAfterCheckpoint, "entry", "entries")} not yet in a checkpoint");
            }
            return line + ".";
        }

        private static string Plural(long count, string one, string many) => count == 1 ? one : many;
    }
}
