using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Hosting;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>What one round of the email sender did.</summary>
public sealed record EmailRound(int Delivered, int Failed, int GivenUp);

/// <summary>
/// Sends the queued <see cref="EmailDelivery"/> rows over SMTP (MailKit), at least once: every
/// <c>ChangeTrail:Notifications:EmailPollInterval</c> it sends the due ones over one connection. A failure (the server
/// down, a refusal) is tried again after the webhooks' backoff (30 s, doubling, at most an hour), and given up after
/// <see cref="MaxAttempts"/> attempts (about a day) and logged as an error. The first failure ends the round, so a server
/// that is down costs one timeout a round. Instances share the queue, claiming each row with a conditional update as
/// <see cref="WebhookSender"/> does; the Message-Id is the delivery's, the same on every attempt.
/// </summary>
public sealed class EmailSender(IServiceScopeFactory scopes, NotificationEmail email, TimeProvider time, Clock clock,
    IOptions<ChangeTrailOptions> options, ILogger<EmailSender> logger) : ScheduledJob(time, logger)
{
    public const int MaxAttempts = 30;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a claimed delivery is kept from other instances: well beyond the connection's timeout.</summary>
    public static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);

    private const int BatchSize = 20;

    protected override TimeSpan Interval => options.Value.Notifications.EmailPollInterval;

    protected override string Name => "Sending email notifications";

    protected override Task RunRoundAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    /// <summary>One round: sends every email due now, in queue order, until the first failure.</summary>
    public async Task<EmailRound> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!email.Enabled)
            return new EmailRound(0, 0, 0);
        var now = clock.UtcNow;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        using var smtp = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        var delivered = 0;
        try
        {
            while (true)
            {
                // A delivery sent, failed or claimed elsewhere is no longer due, so each batch is new and the loop ends.
                var batch = await db.EmailDeliveries.AsNoTracking()
                    .Where(d => d.DeliveredAt == null && d.NextAttemptAt != null && d.NextAttemptAt <= now)
                    .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt).Take(BatchSize).ToListAsync(cancellationToken);
                if (batch.Count == 0)
                    return new EmailRound(delivered, 0, 0);
                foreach (var delivery in batch)
                {
                    var claimedUntil = clock.UtcNow + ClaimFor;
                    var claimed = await db.EmailDeliveries
                        .Where(d => d.Id == delivery.Id && d.DeliveredAt == null && d.NextAttemptAt == delivery.NextAttemptAt)
                        .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, claimedUntil), cancellationToken);
                    if (claimed != 1)
                        continue; // another instance has it

                    var error = await SendAsync(smtp, delivery, cancellationToken);
                    var attempts = delivery.Attempts + 1;
                    if (error is null)
                    {
                        var at = clock.UtcNow;
                        await db.EmailDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(d => d
                            .SetProperty(x => x.DeliveredAt, at)
                            .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
                            .SetProperty(x => x.Attempts, attempts), cancellationToken);
                        delivered++;
                        continue;
                    }
                    var givenUp = await FailAsync(db, delivery, attempts, claimedUntil, error, cancellationToken);
                    return new EmailRound(delivered, givenUp ? 0 : 1, givenUp ? 1 : 0);
                }
            }
        }
        finally
        {
            if (smtp.IsConnected)
            {
                try
                {
                    await smtp.DisconnectAsync(quit: true, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The messages are sent; a server that hangs up first loses nothing.
                }
            }
        }
    }

    /// <summary>Records a failed attempt: the next one after the backoff, or none after the last allowed attempt.</summary>
    private async Task<bool> FailAsync(ChangeTrailDbContext db, EmailDelivery delivery, int attempts, DateTime claimedUntil, string error,
        CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var giveUp = attempts >= MaxAttempts;
        DateTime? next = giveUp ? null : now + WebhookSender.Backoff(attempts);
        var lastError = Truncate(giveUp ? $"Gave up after {attempts} attempts; the last: {error}" : error);
        // Only while the claim is still ours: past it, another instance may have sent the email since.
        await db.EmailDeliveries.Where(d => d.Id == delivery.Id && d.NextAttemptAt == claimedUntil).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.Attempts, attempts)
            .SetProperty(x => x.NextAttemptAt, next)
            .SetProperty(x => x.LastError, lastError), cancellationToken);
        if (giveUp)
            logger.LogError("Gave up emailing {EventType} notification {DeliveryId} to user {RecipientId} after {Attempts} attempts since {CreatedAt:O}: {Error}",
                delivery.EventType, delivery.Id, delivery.RecipientId, attempts, delivery.CreatedAt, error);
        else
            logger.LogWarning("Emailing {EventType} notification {DeliveryId} to user {RecipientId} failed (attempt {Attempts}): {Error}; trying again at {NextAttemptAt:O}.",
                delivery.EventType, delivery.Id, delivery.RecipientId, attempts, error, next);
        return giveUp;
    }

    /// <summary>One attempt, connecting first if this round has not yet: null when the server accepted the message, otherwise why not.</summary>
    private async Task<string?> SendAsync(SmtpClient smtp, EmailDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            if (!smtp.IsConnected)
            {
                await smtp.ConnectAsync(email.Host!, email.Port, email.Security, cancellationToken);
                if (email.Username is not null)
                    await smtp.AuthenticateAsync(email.Username, email.Password ?? "", cancellationToken);
            }
            using var message = Message(delivery);
            await smtp.SendAsync(message, cancellationToken);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Refused, unreachable, TLS or authentication failed, the message rejected: all tried again later.
            return e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{e.Message} {inner.Message}"
                : e.Message;
        }
    }

    private MimeMessage Message(EmailDelivery delivery)
    {
        var message = new MimeMessage
        {
            Subject = delivery.Subject,
            Date = new DateTimeOffset(delivery.CreatedAt, TimeSpan.Zero),
            MessageId = $"{delivery.Id}@{email.From!.Domain}",
            Body = new TextPart("plain") { Text = delivery.Body },
        };
        message.From.Add(email.From.Clone());
        message.To.Add(MailboxAddress.Parse(delivery.To));
        message.Headers.Add("X-ChangeTrail-Event", delivery.EventType);
        return message;
    }

    private static string Truncate(string error) =>
        error.Length <= EmailDelivery.LastErrorMaxLength ? error : error[..(EmailDelivery.LastErrorMaxLength - 1)] + "…";
}
