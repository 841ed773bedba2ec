using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Ledger;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace ChangeTrail.Server.Features.Export;

/// <summary>What <c>manifest.json</c> says about an export: its format, when, which signed tree, the period asked for and what it holds.</summary>
/// <param name="Format">Always <see cref="ExportBundle.Format"/> for this layout.</param>
/// <param name="ExportedAt">When the export started (UTC).</param>
/// <param name="Origin">The log's name, as the checkpoint signs it.</param>
/// <param name="TreeSize">The size of the checkpoint in <c>checkpoint.txt</c>.</param>
/// <param name="RootHash">Its root hash, lowercase hexadecimal.</param>
/// <param name="From">The first day of the period asked for (<c>yyyy-MM-dd</c>), or null.</param>
/// <param name="To">The last day of the period asked for, or null.</param>
/// <param name="Entries">The lines of <c>entries.jsonl</c>.</param>
/// <param name="Records">The lines of <c>records.jsonl</c>.</param>
public sealed record ExportManifest(
    string Format,
    DateTime ExportedAt,
    string Origin,
    long TreeSize,
    string RootHash,
    string? From,
    string? To,
    long Entries,
    long Records);

/// <summary>
/// GET /export?from=&amp;to=: the evidence bundle, a ZIP streamed as it is written. Its ledger part is what
/// <c>changetrail ledger verify --bundle</c> reads: <c>checkpoint.txt</c> (a freshly signed checkpoint),
/// <c>public-key.txt</c>, <c>entries.jsonl</c> (every entry the checkpoint signs, from index 0: verification needs
/// every leaf, whatever the period) and <c>records.jsonl</c> (every current record), one object a line exactly as
/// <c>GET /ledger/entries</c> and <c>GET /ledger/records</c> serve them; and <c>manifest.json</c>. Entries and records
/// hold people's data: Auditor or Admin, with the <c>ledger:read</c> scope.
/// </summary>
/// <remarks>
/// The records are written before the checkpoint that goes into the bundle is taken, so that every record's
/// latest entry is below that checkpoint's size even while the log grows during the export: each state a record
/// was read in was committed with its entry, and a checkpoint taken afterwards covers the log as it was then.
/// A checkpoint is also taken before anything is written, so a log that cannot be signed is a plain error, not a
/// broken download. Entries and records are read a page at a time; nothing holds the whole log in memory.
/// </remarks>
public static class ExportBundle
{
    public const string Format = "changetrail-export/1";
    public const string ContentType = "application/zip";
    public const string ManifestFile = "manifest.json";
    public const string CheckpointFile = "checkpoint.txt";
    public const string PublicKeyFile = "public-key.txt";
    public const string EntriesFile = "entries.jsonl";
    public const string RecordsFile = "records.jsonl";

    /// <summary>The form of <c>from</c> and <c>to</c>: an ISO 8601 calendar date.</summary>
    public const string DateFormat = DateQuery.Format;

    /// <summary>Lines are handed to the ZIP in chunks of about this many bytes.</summary>
    private const int FlushBytes = 64 * 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/export", HandleAsync).RequireAccess(Scopes.LedgerRead, Role.Auditor, Role.Admin)
            .WithTags("Export").WithName(nameof(ExportBundle))
            .WithSummary("The evidence export: a ZIP of the signed ledger, every current record and a manifest")
            .Produces(StatusCodes.Status200OK, contentType: ContentType);

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> HandleAsync(
        [FromQuery(Name = "from")] string? fromText, [FromQuery(Name = "to")] string? toText, ChangeTrailDbContext db,
        SigningKeyProvider key, LedgerCheckpoints checkpoints, Clock clock, IOptions<HttpJsonOptions> json, CancellationToken cancellationToken)
    {
        var malformed = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var from = DateQuery.Read("from", fromText, malformed);
        var to = DateQuery.Read("to", toText, malformed);
        if (malformed.Count > 0)
            return DateQuery.Malformed(malformed);
        var period = Validate(from, to);
        if (!period.IsSuccess)
            return Problems.From(period.Error!);

        var exportedAt = clock.UtcNow;
        // Signed before the response starts: a log that cannot be signed is a problem, not a truncated ZIP.
        if (await checkpoints.CurrentAsync(cancellationToken) is { IsSuccess: false } unsigned)
            return Problems.From(unsigned.Error!);
        var fileName = string.Create(CultureInfo.InvariantCulture, $"changetrail-export-{exportedAt:yyyyMMdd'T'HHmmss'Z'}.zip");
        var export = new Export(db, key, checkpoints, json.Value.SerializerOptions, exportedAt, Text(from), Text(to));
        return TypedResults.Stream(body => export.WriteAsync(body, cancellationToken), ContentType, fileName);
    }

    /// <summary>Checks the period asked for: <c>from</c> may not come after <c>to</c> (422 naming <c>from</c>).</summary>
    public static Result Validate(DateOnly? from, DateOnly? to)
    {
        var errors = new ValidationErrors();
        if (from is { } start && to is { } end && start > end)
            errors.Add("from", $"After 'to' ({Text(end)}): the period would end before it starts.");
        return errors.ToResult();
    }

    private static string? Text(DateOnly? date) => DateQuery.Text(date);

    /// <summary>One export being written to the response.</summary>
    private sealed class Export(ChangeTrailDbContext db, SigningKeyProvider key, LedgerCheckpoints checkpoints, JsonSerializerOptions json,
        DateTime exportedAt, string? from, string? to)
    {
        public async Task WriteAsync(Stream body, CancellationToken cancellationToken)
        {
            // The response body cannot seek: the ZIP writes each file's sizes after its data. It is written through a stream
            // that turns the ZIP's few synchronous writes into asynchronous ones (Kestrel refuses synchronous writes).
            await using var output = new AsyncWriteStream(body);
            await using var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null,
                cancellationToken);

            var records = await WriteLinesAsync(zip, RecordsFile, RecordPagesAsync(cancellationToken), Type<LedgerRecordDto>(), cancellationToken);
            // Taken after the records were read: it covers the latest entry of every record as written (see remarks).
            // Signed just before the response began; only a rewrite of the log in the meantime fails here, mid-ZIP.
            var checkpoint = (await checkpoints.CurrentAsync(cancellationToken)).Value
                ?? throw new InvalidOperationException("The ledger became inconsistent while the export was written.");
            var entries = await WriteLinesAsync(zip, EntriesFile, EntryPagesAsync(checkpoint.TreeSize, cancellationToken),
                Type<LedgerEntryDto>(), cancellationToken);
            await WriteTextAsync(zip, CheckpointFile, checkpoint.Note, cancellationToken);
            await WriteTextAsync(zip, PublicKeyFile, key.PublicKeys, cancellationToken);

            var manifest = new ExportManifest(Format, exportedAt, key.Origin, checkpoint.TreeSize, Convert.ToHexStringLower(checkpoint.RootHash),
                from, to, entries, records);
            await WriteTextAsync(zip, ManifestFile, JsonSerializer.Serialize(manifest, Type<ExportManifest>()) + "\n", cancellationToken);
        }

        private JsonTypeInfo<T> Type<T>() => (JsonTypeInfo<T>)json.GetTypeInfo(typeof(T));

        /// <summary>Entries 0 to <paramref name="treeSize"/> - 1 as <c>GET /ledger/entries</c> serves them, a page at a time.</summary>
        private async IAsyncEnumerable<IReadOnlyList<LedgerEntryDto>> EntryPagesAsync(long treeSize,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            // Pages by index range, not by count: a log with a missing entry is exported as the API serves it, gap included.
            for (long from = 0; from < treeSize; from += ListEntries.MaxCount)
            {
                var page = await ListEntries.ExecuteAsync(from, Math.Min(ListEntries.MaxCount, treeSize - from), db, cancellationToken);
                if (!page.IsSuccess)
                    yield break; // the log's head is below from: the API serves nothing there either
                yield return page.Value!.Entries.Where(e => e.Index < treeSize).ToList();
            }
        }

        /// <summary>Every current record as <c>GET /ledger/records</c> serves it, a page at a time.</summary>
        private async IAsyncEnumerable<IReadOnlyList<LedgerRecordDto>> RecordPagesAsync(
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            string? after = null;
            while (true)
            {
                var page = await ListRecords.ExecuteAsync(after, ListRecords.MaxCount, db, cancellationToken);
                if (!page.IsSuccess)
                    throw new InvalidOperationException($"The records after '{after}' cannot be listed: {page.Error!.Detail}");
                yield return page.Value!.Records;
                if (page.Value.Next is null || page.Value.Next == after)
                    yield break;
                after = page.Value.Next;
            }
        }

        /// <summary>One JSON object a line, <c>\n</c>-terminated, serialised with the API's own options; returns the number of lines.</summary>
        private async Task<long> WriteLinesAsync<T>(ZipArchive zip, string name, IAsyncEnumerable<IReadOnlyList<T>> pages,
            JsonTypeInfo<T> type, CancellationToken cancellationToken)
        {
            await using var stream = await NewEntry(zip, name).OpenAsync(cancellationToken);
            using var buffer = new MemoryStream(FlushBytes * 2);
            long lines = 0;
            await foreach (var page in pages.WithCancellation(cancellationToken))
            {
                foreach (var item in page)
                {
                    JsonSerializer.Serialize(buffer, item, type);
                    buffer.WriteByte((byte)'\n');
                    lines++;
                    if (buffer.Length >= FlushBytes)
                        await FlushAsync(buffer, stream, cancellationToken);
                }
            }
            await FlushAsync(buffer, stream, cancellationToken);
            return lines;
        }

        private static async Task FlushAsync(MemoryStream buffer, Stream stream, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            buffer.SetLength(0);
        }

        private async Task WriteTextAsync(ZipArchive zip, string name, string text, CancellationToken cancellationToken)
        {
            await using var stream = await NewEntry(zip, name).OpenAsync(cancellationToken);
            await stream.WriteAsync(Utf8.GetBytes(text), cancellationToken);
        }

        private ZipArchiveEntry NewEntry(ZipArchive zip, string name)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = new DateTimeOffset(exportedAt, TimeSpan.Zero);
            return entry;
        }
    }
}
