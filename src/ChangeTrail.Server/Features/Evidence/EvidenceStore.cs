using System.Security.Cryptography;
using ChangeTrail.Server.Hosting;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Features.Evidence;

/// <summary>
/// Evidence files on disk, named by their SHA-256 (<c>ab/abcdef…</c>): the same file uploaded twice is stored once, and a
/// stored file can be checked against the hash its ledger record holds. An upload is streamed to a temporary file in the
/// same folder while it is hashed and counted, and moved into place only once its record is about to be saved.
/// </summary>
public sealed class EvidenceStore(IOptions<ChangeTrailOptions> options)
{
    public string Root => options.Value.Evidence.Directory is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "evidence");

    /// <summary>A file being received: where it is, and — once complete — its hash and size.</summary>
    public sealed class Upload(string path) : IAsyncDisposable
    {
        public string Path { get; } = path;
        public string Sha256 { get; internal set; } = "";
        public long Length { get; internal set; }
        internal bool Kept { get; set; }

        /// <summary>An upload not kept (refused, or failed half-way) leaves nothing behind.</summary>
        public ValueTask DisposeAsync()
        {
            if (!Kept)
                File.Delete(Path);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Copies <paramref name="content"/> to a temporary file, hashing it; null when it exceeds <paramref name="maxBytes"/> (nothing kept).</summary>
    public async Task<Upload?> ReceiveAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        var temporary = System.IO.Path.Combine(Root, "incoming");
        Directory.CreateDirectory(temporary);
        var upload = new Upload(System.IO.Path.Combine(temporary, Guid.NewGuid().ToString("N")));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(upload.Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    upload.Length += read;
                    if (upload.Length > maxBytes)
                    {
                        await upload.DisposeAsync();
                        return null;
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                // Durable before its record is: an acknowledged upload is never lost.
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            upload.Sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            return upload;
        }
        catch
        {
            await upload.DisposeAsync();
            throw;
        }
    }

    /// <summary>Moves a received file to its place by hash; a file already there is the same bytes, so the copy is dropped.</summary>
    public void Keep(Upload upload)
    {
        var target = PathOf(upload.Sha256);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        if (!File.Exists(target))
        {
            try
            {
                File.Move(upload.Path, target);
                upload.Kept = true;
                return;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another upload of the same bytes won the race: either copy will do.
            }
        }
    }

    public Stream? OpenRead(string sha256)
    {
        var path = PathOf(sha256);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true) : null;
    }

    private string PathOf(string sha256) => System.IO.Path.Combine(Root, sha256[..2], sha256);
}
