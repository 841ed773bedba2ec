using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Hosting;

/// <summary>The <c>ChangeTrail:Limits</c> section.</summary>
public sealed class LimitOptions
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>
    /// The largest request body, in bytes (1 MiB by default): beyond it a request is answered 413 <c>payload-too-large</c> and
    /// nothing of it is stored. An endpoint that takes more (an evidence upload) raises it for itself with
    /// <c>[RequestSizeLimit]</c> or <see cref="IHttpMaxRequestBodySizeFeature"/>.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;
}

/// <summary>
/// Holds every request body to <see cref="LimitOptions.MaxRequestBodyBytes"/> on a server that does not itself. Kestrel does
/// (its <c>MaxRequestBodySize</c>, set from the same option): this middleware then does nothing. The in-memory test server
/// does not, so here the limit is a feature of our own, with the same contract: the endpoint's
/// <c>IRequestSizeLimitMetadata</c> (routing applies it) or the endpoint itself may change it until the body is first read;
/// a declared <c>Content-Length</c> over it is refused at the first read, a body that grows past it (chunked) as soon as it
/// does, with the <see cref="BadHttpRequestException"/> Kestrel throws, status 413.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, IOptions<ChangeTrailOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is null)
        {
            var limited = new LimitedRequestBody(context.Request.Body, context.Request.ContentLength, options.Value.Limits.MaxRequestBodyBytes);
            context.Features.Set<IHttpMaxRequestBodySizeFeature>(limited);
            context.Request.Body = limited;
            // Request.BodyReader reads through the limit too.
            context.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(context));
        }
        return next(context);
    }

    private sealed class LimitedRequestBody(Stream inner, long? contentLength, long? limit) : Stream, IHttpMaxRequestBodySizeFeature
    {
        private long? _limit = limit;
        private long _read;
        private bool _started;

        public bool IsReadOnly => _started;

        public long? MaxRequestBodySize
        {
            get => _limit;
            set
            {
                if (_started)
                    throw new InvalidOperationException("The maximum request body size cannot be changed once the body is being read.");
                _limit = value;
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Start();
            return Counted(inner.Read(buffer, offset, count));
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Start();
            return Counted(await inner.ReadAsync(buffer, cancellationToken));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Start()
        {
            _started = true;
            if (_limit is { } max && contentLength > max)
                throw TooLarge(max);
        }

        private int Counted(int read)
        {
            _read += read;
            if (_limit is { } max && _read > max)
                throw TooLarge(max);
            return read;
        }

        private static BadHttpRequestException TooLarge(long max) =>
            new($"The request body is larger than {max} bytes.", StatusCodes.Status413PayloadTooLarge);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
