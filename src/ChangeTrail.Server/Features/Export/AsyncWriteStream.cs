namespace ChangeTrail.Server.Features.Export;

/// <summary>
/// A write-only, forward-only stream in front of the response body that never writes to it synchronously. Kestrel (and
/// the test server) refuse synchronous writes, but <see cref="System.IO.Compression.ZipArchive"/> still makes a few
/// while closing a compressed file (the deflater's last block, the data descriptor) even through its async API. Such
/// writes are kept in memory and sent by the next asynchronous write or flush; asynchronous writes go out once a
/// little has gathered. The memory held is bounded by <see cref="Threshold"/> plus what one close writes, a few
/// kilobytes, whatever the size of the export.
/// </summary>
public sealed class AsyncWriteStream(Stream inner) : Stream
{
    /// <summary>Bytes gathered before an asynchronous write sends them on.</summary>
    public const int Threshold = 32 * 1024;

    private readonly MemoryStream _pending = new();
    private long _written;
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    /// <summary>Bytes written so far, sent or not: what a forward-only writer such as a ZIP needs to know of its position.</summary>
    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Kept until the next asynchronous write or flush: the response body may not be written synchronously.</summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        if (_pending.Length >= Threshold)
            await SendAsync(cancellationToken);
    }

    /// <summary>Nothing can be sent synchronously; <see cref="FlushAsync(CancellationToken)"/> sends what is kept.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Sends what is kept; the response body itself belongs to the caller and stays open.</summary>
    public override async ValueTask DisposeAsync()
    {
        await SendAsync(CancellationToken.None);
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            var unsent = _pending.Length;
            _pending.Dispose();
            if (unsent > 0)
                throw new InvalidOperationException("Bytes were written but never sent: dispose this stream with DisposeAsync.");
        }
        base.Dispose(disposing);
    }

    private async Task SendAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
            return;
        await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
        _pending.SetLength(0);
    }
}
