using ChangeTrail.Contracts;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Notifications;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>
/// My notifications: everyone signed in chooses which workflow notifications reach them by email, one checkbox per event,
/// through the same use case and authorization as PUT /users/me/notifications. All are on until turned off.
/// </summary>
public sealed class NotificationsModel(ChangeTrailDbContext db, NotificationEmail email, IAuthorizationService authorization) : ChangeTrailPage
{
    /// <summary>The event types ticked "Email" on the posted form; the others are turned off.</summary>
    [BindProperty]
    public List<string> Email { get; set; } = [];

    public IReadOnlyList<NotificationEventPreference> Events { get; private set; } = [];

    /// <summary>Whether this server emails notifications at all (<c>ChangeTrail:Notifications:Email:Host</c> set).</summary>
    public bool EmailEnabled => email.Enabled;

    public string Description(string type) => WorkflowNotification.Descriptions.GetValueOrDefault(type, type);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Events = (await NotificationPreferences.ExecuteAsync(Viewer.Id, db, cancellationToken)).Events;

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var allowed = await authorization.AuthorizeAsync(User, NotificationPreferences.Access);
        var result = allowed.Succeeded
            ? await NotificationPreferences.SetAsync(Viewer.Id,
                WorkflowNotification.All.ToDictionary(type => type, type => Email.Contains(type, StringComparer.Ordinal)), db, cancellationToken)
            : EndpointAuthorization.RefusalOf(allowed.Failure);
        if (result.IsSuccess)
        {
            var on = WorkflowNotification.All.Count(type => Email.Contains(type, StringComparer.Ordinal));
            Notice = $"Your choices are saved: {on} of {WorkflowNotification.All.Count} notifications are emailed to you.";
            return RedirectToPage();
        }
        Events = (await NotificationPreferences.ExecuteAsync(Viewer.Id, db, cancellationToken)).Events;
        ShowRefusal(result.Error!, modelPrefix: "");
        return Page();
    }
}
