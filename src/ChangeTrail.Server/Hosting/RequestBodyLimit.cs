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
    /// <c>[RequestSizeLimit]</c> metadata: routing sets the request's <see cref="IHttpMaxRequestBodySizeFeature"/> from it before
    /// a declared length is checked.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;
}

/// <summary>
/// Holds every request body to <see cref="LimitOptions.MaxRequestBodyBytes"/>, refused with 413 and nothing of it stored.
/// Kestrel enforces its own <c>MaxRequestBodySize</c> (set from the same option), and this middleware then leaves it alone;
/// a server without such a limit (the in-memory test server) gets one of ours with the same contract: the endpoint's
/// <c>IRequestSizeLimitMetadata</c> (routing applies it) or the endpoint itself may change it until the body is first read,
/// and a body that grows past it (chunked) fails the read with the <see cref="BadHttpRequestException"/> Kestrel throws, status
/// 413. A body that declares its oversize is refused before anyone reads it (<see cref="RefuseDeclaredOversizedBodies"/>).
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, IOptions<ChangeTrailOptions> options)
{
    /// <summary>
    /// After routing (which applies the endpoint's own limit): a body whose declared <c>Content-Length</c> is over the limit is
    /// answered 413 at once, unread, whoever would have read it. A form's antiforgery check, which reads the form first,
    /// would otherwise turn the failed read into a 400. A status code page then says why (problem+json under /api).
    /// </summary>
    public static void RefuseDeclaredOversizedBodies(IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            // Refused unread, and so for the status page re-executed for a browser too: it sees a request without a body.
            context.Request.Body = Stream.Null;
            context.Request.ContentLength = 0;
            context.Request.ContentType = null;
            return Task.CompletedTask;
        }
        return next(context);
    });

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
