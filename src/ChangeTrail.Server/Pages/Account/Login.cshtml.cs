using ChangeTrail.Domain.Common;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>
/// Sign-in with email and password (<see cref="PasswordSignIn"/>: one message for every refusal, lockout per client). A
/// person whose password an Admin set is asked, on the same form, to choose their own before the session starts.
/// </summary>
public sealed class LoginModel(PasswordSignIn passwords, WebSession session, ChangeTrailDbContext db) : ChangeTrailPage
{
    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    /// <summary>Asked for only once the password proved to be a temporary one an Admin set.</summary>
    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? ConfirmPassword { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool ChoosingPassword { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await RunSetup.IsDoneAsync(db, cancellationToken) ? Page() : RedirectToPage("/Account/Setup");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Email))
            ModelState.AddModelError(nameof(Email), "Enter your email.");
        if (string.IsNullOrEmpty(Password))
            ModelState.AddModelError(nameof(Password), "Enter your password.");
        if (NewPassword is not null && NewPassword != ConfirmPassword)
        {
            ModelState.AddModelError(nameof(ConfirmPassword), "The two new passwords differ.");
            ChoosingPassword = true;
        }
        if (!ModelState.IsValid)
            return Page();

        var result = await passwords.CheckAsync(Email, Password, NewPassword, RateLimits.ClientOf(HttpContext), SignInDoor.Web, cancellationToken);
        if (result.IsSuccess)
        {
            await session.StartAsync(result.Value!, NewPassword is null ? "password" : "password-changed", cancellationToken);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }
        switch (result.Error)
        {
            case PasswordChangeRequired:
                ChoosingPassword = true;
                ShowMessage("Your password was set by an administrator. Choose your own to sign in.");
                break;
            case InvalidCredentials invalid:
                ShowMessage(invalid.Detail);
                break;
            default:
                // The new password refused, or a field over its limit: the form shows the fields it was given.
                ChoosingPassword = NewPassword is not null || result.Error is not ValidationFailed;
                ShowRefusal(result.Error!, modelPrefix: "");
                break;
        }
        return Page();
    }
}
