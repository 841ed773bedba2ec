using ChangeTrail.Contracts;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Pages.Account;

public sealed class SetupForm
{
    public string SetupCode { get; set; } = "";
    public string Email { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string Password { get; set; } = "";
}

/// <summary>The first-run page: the same use case as POST /api/v1/setup, then signs the new administrator in.</summary>
public sealed class SetupModel(ChangeTrailDbContext db, UserManager<AppUser> users, WebSession session, SetupCode setupCode, Clock clock,
    IOptions<ChangeTrailOptions> options) : ChangeTrailPage
{
    [BindProperty]
    public SetupForm Form { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await RunSetup.IsDoneAsync(db, cancellationToken) ? RedirectToPage("/Account/Login") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await RunSetup.ExecuteAsync(new SetupRequest(Form.Email, Form.DisplayName, Form.Password, Form.SetupCode),
            db, users, setupCode, clock, options.Value.Tokens, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return Page();
        }
        var admin = (await users.FindByIdAsync(result.Value!.UserId.ToString()))!;
        await session.StartAsync(admin, "setup", cancellationToken);
        Notice = "Setup is done. An admin API token was created for you; make your own on My tokens.";
        return RedirectToPage("/Index");
    }
}
