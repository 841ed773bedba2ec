using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.ServiceAccounts;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Admin;

public sealed class AddServiceAccountForm
{
    public string Name { get; set; } = "";
    public List<Role> Roles { get; set; } = [];

    public CreateServiceAccountRequest ToRequest() => new(Name, Roles);
}

/// <summary>Pipeline identities: list and add; their tokens are made on the identity's page.</summary>
[Authorize(Roles = nameof(Role.Admin))]
public sealed class ServiceAccountsModel(ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock) : ChangeTrailPage
{
    [BindProperty]
    public AddServiceAccountForm Form { get; set; } = new();

    public IReadOnlyList<UserResponse> Accounts { get; private set; } = [];

    public DateTime Now { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid)
        {
            var result = await CreateServiceAccount.ExecuteAsync(Form.ToRequest(), Viewer.Id, db, users, clock, cancellationToken);
            if (result.IsSuccess)
            {
                // A service account does nothing without a token: go where one is made.
                Notice = $"Service account {Form.Name.Trim()} was added. Create its API token below.";
                return RedirectToPage("/Admin/UserDetails", new { id = result.Value!.Id });
            }
            ShowRefusal(result.Error!);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.UtcNow;
        Accounts = (await ListUsers.ExecuteAsync(db, cancellationToken)).Where(AdminView.IsServiceAccount).ToList();
    }
}
