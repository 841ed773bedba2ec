using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>
/// Where <c>ledger verify</c> reads a log from: the server's ledger API, or an exported bundle. The verification
/// (<see cref="LedgerVerifier"/>) is written once against this interface and trusts nothing a source says
/// except what it can check itself.
/// </summary>
internal interface ILedgerSource
{
    /// <summary>What is being verified, for messages and <c>--json</c>: the server's address or the bundle's path.</summary>
    string Description { get; }

    /// <summary>
    /// The state file's key for this source: the server's address, or <see cref="LedgerState.BundleSource"/> for
    /// every bundle (a bundle has no address, so bundles are matched by their log's origin alone).
    /// </summary>
    string StateSource { get; }

    /// <summary>True for a bundle: nothing new can appear while it is read, and there is no server to ask for proofs.</summary>
    bool IsOffline { get; }

    /// <summary>The latest signed checkpoint, a C2SP signed note, exactly as published.</summary>
    Task<string> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>What the user should know about how the checkpoint was obtained (the server refused to sign one), or null.</summary>
    string? CheckpointRemark { get; }

    /// <summary>The verifier keys the source publishes itself: current first, then previous ones.</summary>
    Task<IReadOnlyList<string>> PublicKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Entries from index <paramref name="from"/> to the end of what the source holds, in the order it serves them.
    /// The indexes are the source's claims: gaps, repeats and reordering are the verifier's to find.
    /// </summary>
    IAsyncEnumerable<LedgerEntryDto> EntriesAsync(long from, CancellationToken cancellationToken);

    /// <summary>The RFC 9162 consistency proof between two sizes, or null when the source has none to give (a bundle).</summary>
    Task<IReadOnlyList<string>?> ConsistencyProofAsync(long from, long to, CancellationToken cancellationToken);

    /// <summary>Every record's current canonical JSON.</summary>
    IAsyncEnumerable<LedgerRecordDto> RecordsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The source could not be read at all (no server, a refused request, not a bundle): not a verdict on the log.
/// <see cref="Message"/> is null when the problem was already reported (by <see cref="Http.ServerClient"/>).
/// </summary>
internal sealed class LedgerSourceException(int exitCode, string? message) : Exception(message ?? "The ledger source failed.")
{
    public int ExitCode { get; } = exitCode;

    public bool Reported { get; } = message is null;
}

/// <summary>The first disagreement found: verification stops there and the run exits 1.</summary>
internal sealed class LedgerMismatchException(LedgerFailure failure) : Exception(failure.Message)
{
    public LedgerFailure Failure { get; } = failure;
}

/// <summary>
/// Why verification failed. <see cref="Kind"/> is a stable identifier for scripts (<c>--json</c>); <see cref="Message"/>
/// names the entry or record in words.
/// </summary>
internal sealed record LedgerFailure(string Kind, string Message, long? Entry = null, string? SubjectType = null, string? SubjectId = null);

/// <summary>How far a long run has got, for the progress bar; silent when output is redirected.</summary>
internal interface IVerifyProgress
{
    /// <summary><paramref name="done"/> entries checked of the <paramref name="signed"/> the checkpoint covers.</summary>
    void Entries(long done, long signed);

    void Records(long done);

    public static IVerifyProgress None { get; } = new NoProgress();

    private sealed class NoProgress : IVerifyProgress
    {
        public void Entries(long done, long signed)
        {
        }

        public void Records(long done)
        {
        }
    }
}
