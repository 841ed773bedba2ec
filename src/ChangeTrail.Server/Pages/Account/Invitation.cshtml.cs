using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>The page behind a one-time invitation link: the invited person chooses their password and is signed in.</summary>
public sealed class InvitationModel(ChangeTrailDbContext db, UserManager<AppUser> users, WebSession session, Clock clock) : ChangeTrailPage
{
    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    /// <summary>Who the link is for, shown so the person knows whose account they are activating; null when it does not work.</summary>
    public AppUser? Invited { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Invited = await AcceptInvitation.FindAsync(db, Code, clock.UtcNow, cancellationToken);
        if (Invited is null)
            ShowRefusal(new InvitationInvalid());
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Invited = await AcceptInvitation.FindAsync(db, Code, clock.UtcNow, cancellationToken);
        if (NewPassword != ConfirmPassword)
        {
            ModelState.AddModelError(nameof(ConfirmPassword), "The two passwords differ.");
            return Page();
        }
        var result = await AcceptInvitation.ExecuteAsync(Code, NewPassword, db, users, clock, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!, modelPrefix: "");
            return Page();
        }
        await session.StartAsync(result.Value!, "invitation", cancellationToken);
        Notice = $"Welcome, {result.Value!.DisplayName}. Your password is set; only you know it.";
        return RedirectToPage("/Index");
    }
}
