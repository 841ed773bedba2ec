using System.Globalization;
using System.Text;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Notifications;

/// <summary>
/// Queues a workflow notification as one <see cref="EmailDelivery"/> per person of its audience, added to the caller's change
/// tracker (saved with the step it announces). The audience is resolved now, when the step happens: people active at the
/// time, with an email address, who have not turned this event off; never a service account. <see cref="EmailSender"/> sends them.
/// </summary>
public static class EmailOutbox
{
    public const string SubjectPrefix = "[ChangeTrail] ";

    public static async Task AddAsync(ChangeTrailDbContext db, string type, string text, NotificationSubject subject, DateTime now, DateTime? dueAt,
        NotificationAudience audience, CancellationToken cancellationToken)
    {
        if (audience.Roles.Count == 0 && audience.People.Count == 0)
            return;
        var roles = audience.Roles.Select(r => r.ToString().ToUpperInvariant()).ToList();
        var people = audience.People.ToList();
        var except = audience.Except.ToList();
        var recipients = await db.Users.AsNoTracking()
            .Where(u => u.DeactivatedAt == null && !u.IsServiceAccount && u.Email != null && u.Email != "" && !except.Contains(u.Id) &&
                        (people.Contains(u.Id) ||
                         db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && roles.Contains(r.NormalizedName!)))) &&
                        !db.NotificationPreferences.Any(p => p.UserId == u.Id && p.EventType == type && !p.Email))
            .OrderBy(u => u.Email)
            .Select(u => new { u.Id, u.Email })
            .ToListAsync(cancellationToken);
        var emailSubject = Subject(text);
        var body = Body(text, subject, dueAt);
        foreach (var recipient in recipients)
        {
            db.EmailDeliveries.Add(new EmailDelivery
            {
                Id = Guid.CreateVersion7(),
                To = recipient.Email!,
                RecipientId = recipient.Id,
                EventType = type,
                Subject = emailSubject,
                Body = body,
                CreatedAt = now,
                Attempts = 0,
                NextAttemptAt = now,
            });
        }
    }

    /// <summary>"[ChangeTrail] " and the notification's text on one line, shortened to fit a subject.</summary>
    public static string Subject(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var room = EmailDelivery.SubjectMaxLength - SubjectPrefix.Length;
        return SubjectPrefix + (line.Length <= room ? line : line[..(room - 1)] + "…");
    }

    /// <summary>The text, then what it is about, its deadline and where its page is.</summary>
    public static string Body(string text, NotificationSubject subject, DateTime? dueAt)
    {
        var body = new StringBuilder();
        body.Append(text).Append("\n\n");
        body.Append(CultureInfo.InvariantCulture, $"{Kind(subject.Kind)} {subject.Number}: {subject.Title}\n");
        if (dueAt is { } due)
            body.Append(CultureInfo.InvariantCulture, $"Due: {due:yyyy-MM-dd HH:mm} UTC\n");
        body.Append(CultureInfo.InvariantCulture, $"Link: {subject.Path}\n");
        body.Append("\n-- \nChangeTrail. Choose which notifications you receive by email: GET and PUT /api/v1/users/me/notifications.\n");
        return body.ToString();
    }

    private static string Kind(string kind) => kind switch
    {
        "change" => "Change",
        "exception" => "Policy exception",
        "template" => "Standard template",
        "policy" => "Policy version",
        _ => kind,
    };
}
