using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Pages.Admin;

public sealed class AddUserForm
{
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public List<Role> Roles { get; set; } = [];
    public string? Password { get; set; }

    // An empty password box means "no password": the Admin gets a one-time invitation link for the person instead.
    public CreateUserRequest ToRequest() => new(Email, DisplayName, Roles, string.IsNullOrEmpty(Password) ? null : Password);
}

/// <summary>Every person and service account with their roles, state and tokens (the access review on screen); add and deactivate.</summary>
[Authorize(Roles = nameof(Role.Admin))]
public sealed class UsersModel(ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock) : ChangeTrailPage
{
    [BindProperty]
    public AddUserForm Form { get; set; } = new();

    public IReadOnlyList<UserResponse> Identities { get; private set; } = [];

    public DateTime Now { get; private set; }

    /// <summary>Set only in the response that added a person without a password: their invitation link, shown once.</summary>
    public CreatedUserResponse? Invited { get; private set; }

    public string? InvitedName { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var result = await CreateUser.ExecuteAsync(Form.ToRequest(), Viewer.Id, Invitations.SiteBase(Request), db, users, clock, cancellationToken);
            if (result.IsSuccess && result.Value!.InvitationUrl is null)
            {
                Notice = $"{Form.DisplayName.Trim()} was added. The password you set is temporary: they choose their own when they first sign in.";
                return RedirectToPage();
            }
            if (result.IsSuccess)
            {
                // The link is in this response only, like a token's secret.
                Invited = result.Value;
                InvitedName = Form.DisplayName.Trim();
                ModelState.Clear();
                Form = new();
            }
            else
            {
                ShowRefusal(result.Error!);
            }
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostDeactivateAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await DeactivateUser.ExecuteAsync(id, Viewer.Id, db, users, clock, cancellationToken);
        if (result.IsSuccess)
        {
            var name = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => u.DisplayName).SingleAsync(cancellationToken);
            Notice = $"{name} is deactivated: their sessions and API tokens stopped working.";
            return RedirectToPage();
        }
        ShowRefusal(result.Error!);
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.UtcNow;
        Identities = await ListUsers.ExecuteAsync(db, cancellationToken);
    }
}
