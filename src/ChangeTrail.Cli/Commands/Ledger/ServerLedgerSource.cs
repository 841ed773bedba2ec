using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using ChangeTrail.Cli.Http;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>The server's ledger API under <c>/api/v1/ledger</c>, read a page at a time.</summary>
internal sealed class ServerLedgerSource(ServerClient server, string address) : ILedgerSource
{
    /// <summary>Entries per request: the most the API serves at once, so a large log takes as few round trips as possible.</summary>
    public const int EntriesPage = 10_000;

    public const int RecordsPage = 1_000;

    public string Description => address;

    public string StateSource => address;

    public bool IsOffline => false;

    public string? CheckpointRemark { get; private set; }

    /// <summary>
    /// A checkpoint of the log as it stands, signed now, when the token may ask for one (an Auditor's or Admin's);
    /// otherwise the latest the server signed, and whatever came after it is checked unsigned.
    /// </summary>
    public async Task<string> CheckpointAsync(CancellationToken cancellationToken)
    {
        var (status, body) = await server.TryPostAsync("ledger/checkpoint", cancellationToken);
        if (status == HttpStatusCode.OK)
            return body;
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            CheckpointRemark = "the server refuses to sign a new checkpoint: it reports its ledger inconsistent with what it signed " +
                "before (ledger-inconsistent); verifying against the latest checkpoint it signed.";
        }
        return (await GetAsync("ledger/checkpoint", cancellationToken)).Body;
    }

    public async Task<IReadOnlyList<string>> PublicKeysAsync(CancellationToken cancellationToken) =>
        Lines((await GetAsync("ledger/public-key", cancellationToken)).Body);

    public async IAsyncEnumerable<LedgerEntryDto> EntriesAsync(long from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = (await GetAsync(Invariant($"ledger/entries?from={from}&count={EntriesPage}"), cancellationToken))
                .Read<LedgerEntriesResponse>();
            if (page.Entries is not { Count: > 0 } entries)
                yield break;
            foreach (var entry in entries)
                yield return entry;
            // Continue after the last index served, and always forward, whatever indexes a tampered log claims.
            from = Math.Max(from + entries.Count, (entries[^1]?.Index ?? from) + 1);
            if (from >= page.TreeSize)
                yield break;
        }
    }

    public async Task<IReadOnlyList<string>?> ConsistencyProofAsync(long from, long to, CancellationToken cancellationToken)
    {
        var proof = (await GetAsync(Invariant($"ledger/proofs/consistency?from={from}&to={to}"), cancellationToken))
            .Read<ConsistencyProofResponse>();
        return proof.Proof ?? [];
    }

    public async IAsyncEnumerable<LedgerRecordDto> RecordsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var path = Invariant($"ledger/records?count={RecordsPage}") + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
            var page = (await GetAsync(path, cancellationToken)).Read<LedgerRecordsResponse>();
            foreach (var record in page.Records ?? [])
                yield return record;
            if (page.Next is null || page.Next == after)
                yield break;
            after = page.Next;
        }
    }

    private async Task<ApiResponse> GetAsync(string path, CancellationToken cancellationToken)
    {
        var response = await server.GetAsync(path, cancellationToken);
        // ServerClient has already said why on stderr. Even a 403 or 404 is exit code 2 here, not 1: nothing was
        // verified, and a script must not read a refused request as a log that failed verification.
        return response.IsSuccess ? response : throw new LedgerSourceException(ExitCodes.UsageOrConnection, null);
    }

    /// <summary>The non-empty lines of a text/plain answer.</summary>
    public static List<string> Lines(string text) =>
        [.. text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0)];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
