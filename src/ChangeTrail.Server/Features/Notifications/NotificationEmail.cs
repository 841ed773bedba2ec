using ChangeTrail.Server.Hosting;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// The SMTP settings of <c>ChangeTrail:Notifications:Email</c>, checked once, at start-up: a host without a sender
/// address, or with a security mode MailKit does not know, stops the server instead of queueing emails that never leave.
/// </summary>
public sealed class NotificationEmail
{
    public const string Setting = "ChangeTrail:Notifications:Email";

    private static readonly Dictionary<string, SecureSocketOptions> SecurityModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Auto"] = SecureSocketOptions.StartTlsWhenAvailable,
        ["None"] = SecureSocketOptions.None,
        ["StartTls"] = SecureSocketOptions.StartTls,
        ["SslOnConnect"] = SecureSocketOptions.SslOnConnect,
    };

    public NotificationEmail(IOptions<ChangeTrailOptions> options)
    {
        var email = options.Value.Notifications.Email;
        Host = string.IsNullOrWhiteSpace(email.Host) ? null : email.Host.Trim();
        if (Host is null)
            return;
        if (email.Port is < 1 or > 65535)
            throw new InvalidOperationException($"{Setting}:Port {email.Port} is not a TCP port (1 to 65535).");
        if (string.IsNullOrWhiteSpace(email.From))
            throw new InvalidOperationException($"{Setting}:From is not set: give the address the notifications are sent from " +
                $"(changetrail@example.com, or \"ChangeTrail <changetrail@example.com>\"), or leave {Setting}:Host empty to send no email.");
        if (!MailboxAddress.TryParse(email.From.Trim(), out var from) || !from.Address.Contains('@', StringComparison.Ordinal))
            throw new InvalidOperationException($"{Setting}:From '{email.From}' is not an email address.");
        if (!SecurityModes.TryGetValue(email.Security?.Trim() ?? "", out var security))
            throw new InvalidOperationException($"{Setting}:Security '{email.Security}' is not one of {string.Join(", ", SecurityModes.Keys)}.");
        if (string.IsNullOrEmpty(email.Username) != string.IsNullOrEmpty(email.Password))
            throw new InvalidOperationException($"{Setting}:Username and {Setting}:Password go together: set both to authenticate, or neither.");
        Port = email.Port;
        From = from;
        Security = security;
        Username = string.IsNullOrEmpty(email.Username) ? null : email.Username;
        Password = email.Password;
    }

    /// <summary>Whether notifications are emailed at all.</summary>
    public bool Enabled => Host is not null;

    public string? Host { get; }

    public int Port { get; }

    public MailboxAddress? From { get; }

    public SecureSocketOptions Security { get; }

    public string? Username { get; }

    public string? Password { get; }

    /// <summary>No email: for what must announce nothing, such as the demo's made-up history.</summary>
    public static readonly NotificationEmail None = new(Options.Create(new ChangeTrailOptions()));
}
