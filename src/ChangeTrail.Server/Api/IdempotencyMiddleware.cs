using System.Security.Cryptography;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Api;

/// <summary>
/// CONTRACT.md: a POST may carry <c>Idempotency-Key</c>; a retry with the same key returns the first
/// answer and changes nothing. The key is claimed before the request runs, so two copies racing each
/// other cannot both act: the second is told the first is still in flight.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next)
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;

    public async Task InvokeAsync(HttpContext context, IServiceScopeFactory scopes, Clock clock)
    {
        string? key = context.Request.Headers[Header];
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key))
        {
            await next(context);
            return;
        }
        if (key.Length > MaxKeyLength)
        {
            await Problems.Write(context, 400, "malformed-request", "Idempotency-Key too long", $"An Idempotency-Key has at most {MaxKeyLength} characters.");
            return;
        }

        var owner = context.User.Identity?.IsAuthenticated == true ? context.User.UserIdOf() : Guid.Empty;
        var requestHash = await HashRequest(context.Request);

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.OwnerId == owner && r.Key == key);
            if (existing is null)
            {
                db.IdempotencyRecords.Add(new IdempotencyRecord { OwnerId = owner, Key = key, RequestHash = requestHash, CreatedAt = clock.UtcNow });
                try
                {
                    await db.SaveChangesAsync();
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear();
                    existing = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.OwnerId == owner && r.Key == key);
                }
            }
            if (existing is not null)
            {
                await Replay(context, existing, requestHash);
                return;
            }
        }

        var originalBody = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = originalBody;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            var record = await db.IdempotencyRecords.SingleAsync(r => r.OwnerId == owner && r.Key == key);
            // A server error promises nothing about the outcome; let the retry run for real.
            if (context.Response.StatusCode >= 500)
            {
                db.IdempotencyRecords.Remove(record);
            }
            else
            {
                record.StatusCode = context.Response.StatusCode;
                record.ContentType = context.Response.ContentType;
                record.Location = context.Response.Headers.Location;
                record.Body = buffer.ToArray();
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody);
    }

    private static async Task Replay(HttpContext context, IdempotencyRecord record, string requestHash)
    {
        if (record.RequestHash != requestHash)
        {
            await Problems.Write(context, 422, "idempotency-key-reused", "Idempotency-Key reused",
                "This Idempotency-Key was already used for a different request.");
            return;
        }
        if (record.StatusCode is not { } status)
        {
            await Problems.Write(context, 409, "idempotency-key-in-flight", "Request in progress",
                "The first request with this Idempotency-Key has not finished yet; retry shortly.");
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Headers["Idempotency-Replayed"] = "true";
        if (record.ContentType is not null)
            context.Response.ContentType = record.ContentType;
        if (record.Location is not null)
            context.Response.Headers.Location = record.Location;
        if (record.Body is { Length: > 0 } body)
            await context.Response.Body.WriteAsync(body);
    }

    private static async Task<string> HashRequest(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk)) > 0)
            sha.AppendData(chunk, 0, read);
        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
