using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Server.Hosting;
using MailKit.Net.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// What one round of the email sender did: emails sent; one that failed and waits for its next attempt; emails ended
/// unsent (refused for good, out of attempts, or their recipient deactivated).
/// </summary>
public sealed record EmailRound(int Delivered, int Failed, int GivenUp);

/// <summary>
/// Sends the queued <see cref="EmailDelivery"/> rows over SMTP (MailKit), at least once: every
/// <c>ChangeTrail:Notifications:EmailPollInterval</c> it sends the due ones over one connection. A failure (the server
/// down, a temporary refusal) is tried again after the webhooks' backoff (30 s, doubling, at most an hour), and given up after
/// <see cref="MaxAttempts"/> attempts (about a day) and logged as an error. The first such failure ends the round, so a
/// server that is down costs one timeout a round. Two things end a delivery at once, and the round goes on: the server
/// refusing its recipient for good (a 5xx reply to RCPT TO, as for a mailbox that does not exist: RFC 5321 says not to
/// repeat it), and its recipient having been deactivated since it was queued (it is not sent). Instances share the queue,
/// claiming each row with a conditional update as <see cref="WebhookSender"/> does; the Message-Id is the delivery's, the
/// same on every attempt.
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

    /// <summary>One round: sends every email due now, in queue order, until the first failure that may pass.</summary>
    public async Task<EmailRound> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!email.Enabled)
            return new EmailRound(0, 0, 0);
        var now = clock.UtcNow;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChangeTrailDbContext>();
        using var smtp = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        var delivered = 0;
        var givenUp = 0;
        try
        {
            while (true)
            {
                // A delivery sent, failed or claimed elsewhere is no longer due, so each batch is new and the loop ends.
                var batch = await db.EmailDeliveries.AsNoTracking()
                    .Where(d => d.DeliveredAt == null && d.NextAttemptAt != null && d.NextAttemptAt <= now)
                    .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.CreatedAt).Take(BatchSize)
                    .Select(d => new DueEmail(d, db.Users.Any(u => u.Id == d.RecipientId && u.DeactivatedAt == null)))
                    .ToListAsync(cancellationToken);
                if (batch.Count == 0)
                    return new EmailRound(delivered, 0, givenUp);
                foreach (var (delivery, recipientActive) in batch)
                {
                    var claimedUntil = clock.UtcNow + ClaimFor;
                    var claimed = await db.EmailDeliveries
                        .Where(d => d.Id == delivery.Id && d.DeliveredAt == null && d.NextAttemptAt == delivery.NextAttemptAt)
                        .ExecuteUpdateAsync(d => d.SetProperty(x => x.NextAttemptAt, claimedUntil), cancellationToken);
                    if (claimed != 1)
                        continue; // another instance has it

                    if (!recipientActive)
                    {
                        await WithdrawAsync(db, delivery, claimedUntil, cancellationToken);
                        givenUp++;
                        continue;
                    }
                    var failure = await SendAsync(smtp, delivery, cancellationToken);
                    var attempts = delivery.Attempts + 1;
                    if (failure is null)
                    {
                        var at = clock.UtcNow;
                        await db.EmailDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(d => d
                            .SetProperty(x => x.DeliveredAt, at)
                            .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
                            .SetProperty(x => x.Attempts, attempts), cancellationToken);
                        delivered++;
                        continue;
                    }
                    var gaveUp = await FailAsync(db, delivery, attempts, claimedUntil, failure, cancellationToken);
                    if (gaveUp)
                        givenUp++;
                    if (!failure.Final)
                        return new EmailRound(delivered, gaveUp ? 0 : 1, givenUp); // the server's trouble: the rest wait for the next round
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

    /// <summary>
    /// Records a failed attempt: the next one after the backoff, or none after a final refusal or the last allowed attempt.
    /// True when it was given up.
    /// </summary>
    private async Task<bool> FailAsync(ChangeTrailDbContext db, EmailDelivery delivery, int attempts, DateTime claimedUntil, SendFailure failure,
        CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var giveUp = failure.Final || attempts >= MaxAttempts;
        DateTime? next = giveUp ? null : now + WebhookSender.Backoff(attempts);
        var error = failure.Error;
        var lastError = Truncate((failure.Final, giveUp) switch
        {
            (true, _) => $"Gave up: the mail server refused the recipient for good. {error}",
            (false, true) => $"Gave up after {attempts} attempts; the last: {error}",
            _ => error,
        });
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

    /// <summary>Ends a delivery whose recipient was deactivated after it was queued: it is not sent, and no attempt is counted.</summary>
    private async Task WithdrawAsync(ChangeTrailDbContext db, EmailDelivery delivery, DateTime claimedUntil, CancellationToken cancellationToken)
    {
        await db.EmailDeliveries.Where(d => d.Id == delivery.Id && d.NextAttemptAt == claimedUntil).ExecuteUpdateAsync(d => d
            .SetProperty(x => x.NextAttemptAt, (DateTime?)null)
            .SetProperty(x => x.LastError, NotSentToDeactivated), cancellationToken);
        if (logger.IsEnabled(LogLevel.Information))
            logger.LogInformation("Did not email {EventType} notification {DeliveryId}: user {RecipientId} was deactivated after it was queued.",
                delivery.EventType, delivery.Id, delivery.RecipientId);
    }

    /// <summary>The <see cref="EmailDelivery.LastError"/> of an email withdrawn because its recipient was deactivated.</summary>
    public const string NotSentToDeactivated = "Not sent: the recipient was deactivated after it was queued.";

    /// <summary>
    /// One attempt, connecting first if this round has not yet: null when the server accepted the message, otherwise why
    /// not, and whether the refusal is final.
    /// </summary>
    private async Task<SendFailure?> SendAsync(SmtpClient smtp, EmailDelivery delivery, CancellationToken cancellationToken)
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
            // Only the recipient refused with a 5xx is final: it is about this one address. A 5xx to the sender, the message
            // or the login is the installation's settings, which an operator fixes; unreachable, TLS failures and 4xx are
            // passing. All those are tried again later.
            if (e is SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted, StatusCode: >= (SmtpStatusCode)500 } refusal)
                return new SendFailure($"{(int)refusal.StatusCode} {refusal.Message}", Final: true);
            return new SendFailure(e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
                ? $"{e.Message} {inner.Message}"
                : e.Message, Final: false);
        }
    }

    /// <summary>A due delivery, and whether its recipient is still active.</summary>
    private sealed record DueEmail(EmailDelivery Delivery, bool RecipientActive);

    /// <summary>Why an attempt failed; <paramref name="Final"/> when trying again could not succeed.</summary>
    private sealed record SendFailure(string Error, bool Final);

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
