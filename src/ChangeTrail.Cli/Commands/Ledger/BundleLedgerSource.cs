using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ChangeTrail.Contracts;

namespace ChangeTrail.Cli.Commands.Ledger;

/// <summary>
/// An exported ledger bundle: a ZIP holding <c>checkpoint.txt</c> (the signed note), <c>public-key.txt</c> (the
/// server's verifier keys, current first), <c>entries.jsonl</c> and <c>records.jsonl</c> (one API object per line).
/// Read with no server at all; see docs/cli.md for the format.
/// </summary>
internal sealed class BundleLedgerSource : ILedgerSource, IDisposable
{
    public const string CheckpointFile = "checkpoint.txt";
    public const string PublicKeyFile = "public-key.txt";
    public const string EntriesFile = "entries.jsonl";
    public const string RecordsFile = "records.jsonl";

    private readonly ZipArchive _zip;

    private BundleLedgerSource(string path, ZipArchive zip)
    {
        Description = path;
        _zip = zip;
    }

    public string Description { get; }

    public string StateSource => LedgerState.BundleSource;

    public string? CheckpointRemark => null;

    public bool IsOffline => true;

    /// <summary>Opens the bundle and checks it has the files every verification needs.</summary>
    /// <exception cref="LedgerSourceException">The file cannot be read, is not a ZIP, or lacks a required file (exit code 2).</exception>
    public static BundleLedgerSource Open(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new LedgerSourceException(ExitCodes.UsageOrConnection, $"cannot read the bundle {path}: {exception.Message}");
        }
        var missing = new[] { CheckpointFile, EntriesFile, RecordsFile }.Where(name => zip.GetEntry(name) is null).ToList();
        if (missing.Count > 0)
        {
            zip.Dispose();
            throw new LedgerSourceException(ExitCodes.UsageOrConnection,
                $"{path} is not a ledger bundle: it has no {string.Join(" and no ", missing)}.");
        }
        return new BundleLedgerSource(path, zip);
    }

    public Task<string> CheckpointAsync(CancellationToken cancellationToken) => ReadTextAsync(CheckpointFile, cancellationToken);

    public async Task<IReadOnlyList<string>> PublicKeysAsync(CancellationToken cancellationToken)
    {
        if (_zip.GetEntry(PublicKeyFile) is null)
        {
            throw new LedgerSourceException(ExitCodes.UsageOrConnection,
                $"no public key: the bundle has no {PublicKeyFile}; pass --public-key or --public-key-file.");
        }
        return ServerLedgerSource.Lines(await ReadTextAsync(PublicKeyFile, cancellationToken));
    }

    /// <summary>Every line of entries.jsonl in file order; <paramref name="from"/> &gt; 0 yields nothing, as a bundle never grows.</summary>
    public IAsyncEnumerable<LedgerEntryDto> EntriesAsync(long from, CancellationToken cancellationToken) =>
        from == 0 ? ReadLinesAsync<LedgerEntryDto>(EntriesFile, "entry", cancellationToken) : AsyncEnumerable.Empty<LedgerEntryDto>();

    /// <summary>None: the verifier recomputes the older root from the bundle's own entries instead.</summary>
    public Task<IReadOnlyList<string>?> ConsistencyProofAsync(long from, long to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>?>(null);

    public IAsyncEnumerable<LedgerRecordDto> RecordsAsync(CancellationToken cancellationToken) =>
        ReadLinesAsync<LedgerRecordDto>(RecordsFile, "record", cancellationToken);

    public void Dispose() => _zip.Dispose();

    private async Task<string> ReadTextAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await _zip.GetEntry(name)!.OpenAsync(cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            throw Unreadable(name, exception);
        }
    }

    /// <summary>One JSON object per line; blank lines are skipped. A line that is not one is a verification failure, named by line number.</summary>
    private async IAsyncEnumerable<T> ReadLinesAsync<T>(string name, string what, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        Stream stream;
        try
        {
            stream = await _zip.GetEntry(name)!.OpenAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            throw Unreadable(name, exception);
        }
        await using var _ = stream;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var number = 0;
        while (await NextLineAsync(reader, name, cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            T? item;
            try
            {
                item = JsonSerializer.Deserialize<T>(line, ApiJson.Options);
            }
            catch (JsonException exception)
            {
                throw Malformed(name, number, what, exception.Message);
            }
            yield return item ?? throw Malformed(name, number, what, "it is null");
        }
    }

    /// <summary>A line, or null at the end; a damaged archive is a source problem (exit 2), not a verdict on the log.</summary>
    private async Task<string?> NextLineAsync(StreamReader reader, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException)
        {
            throw Unreadable(name, exception);
        }
    }

    private LedgerSourceException Unreadable(string name, Exception exception) =>
        new(ExitCodes.UsageOrConnection, $"cannot read {name} in the bundle {Description}: {exception.Message}");

    private static LedgerMismatchException Malformed(string name, int line, string what, string why) =>
        new(new LedgerFailure($"malformed-{what}", $"{name} line {line} is not a ledger {what}: {why}"));
}
