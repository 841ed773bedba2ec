using System.Security.Cryptography;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Api;

/// <summary>
/// CONTRACT.md: a POST may carry <c>Idempotency-Key</c>; a retry with the same key returns the first answer and changes
/// nothing. The key is claimed before the request runs, so two copies racing each other cannot both act: the second is
/// told the first is still in flight.
/// </summary>
/// <remarks>
/// A replay belongs to the credential that made the first request (a token, or a web session), looked up only once
/// that credential passed authentication and authorization: another token of the same person, or another person, gets
/// nothing back. Anonymous requests are never recorded. Bodies are stored encrypted with the Data Protection key ring
/// (kept outside the database's reach), since some answers hold a secret shown once (a new token), and a record lives
/// <see cref="Lifetime"/>.
/// </remarks>
public sealed class IdempotencyMiddleware(RequestDelegate next, IDataProtectionProvider protection)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private const int MaxKeyLength = 200;

    private readonly IDataProtector _bodies = protection.CreateProtector("ChangeTrail.IdempotentReplies.v1");

    public async Task InvokeAsync(HttpContext context, IServiceScopeFactory scopes, Clock clock)
    {
        string? key = context.Request.Headers[Header];
        var credential = context.User.CredentialOf();
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(key) || credential is null)
        {
            await next(context);
            return;
        }
        if (key.Length > MaxKeyLength)
        {
            await Problems.Write(context, 400, "malformed-request", "Idempotency-Key too long", $"An Idempotency-Key has at most {MaxKeyLength} characters.");
            return;
        }

        var requestHash = await HashRequest(context.Request);
        var now = clock.UtcNow;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            var existing = await db.IdempotencyRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Credential == credential && r.Key == key);
            if (existing is not null && existing.CreatedAt <= now - Lifetime)
            {
                // Expired: the key is free again. The sweep removes such rows; this one goes now.
                await db.IdempotencyRecords.Where(r => r.Credential == credential && r.Key == key && r.CreatedAt == existing.CreatedAt).ExecuteDeleteAsync();
                existing = null;
            }
            if (existing is null)
            {
                db.IdempotencyRecords.Add(new IdempotencyRecord { Credential = credential, Key = key, RequestHash = requestHash, CreatedAt = now });
                try
                {
                    await db.SaveChangesAsync();
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear();
                    existing = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.Credential == credential && r.Key == key);
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
        var answered = false;
        try
        {
            await next(context);
            answered = true;
        }
        finally
        {
            context.Response.Body = originalBody;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
            var record = await db.IdempotencyRecords.SingleAsync(r => r.Credential == credential && r.Key == key);
            // A server error promises nothing about the outcome, and neither does a request that ended in an exception (the
            // client went away mid-request; its status still reads the default 200): let the retry run for real.
            if (!answered || context.Response.StatusCode >= 500)
            {
                db.IdempotencyRecords.Remove(record);
            }
            else
            {
                record.StatusCode = context.Response.StatusCode;
                record.ContentType = context.Response.ContentType;
                record.Location = context.Response.Headers.Location;
                record.ProtectedBody = buffer.Length == 0 ? null : _bodies.Protect(buffer.ToArray());
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody);
    }

    private async Task Replay(HttpContext context, IdempotencyRecord record, string requestHash)
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
        if (record.ProtectedBody is { Length: > 0 } body)
            await context.Response.Body.WriteAsync(_bodies.Unprotect(body));
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
