using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Setup;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>Sign-in with email and password; five failures lock the account for 15 minutes.</summary>
public sealed class LoginModel(SignInManager<AppUser> signIn, ChangeTrailDbContext db, Clock clock) : ChangeTrailPage
{
    [BindProperty]
    public string Email { get; set; } = "";

    [BindProperty]
    public string Password { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await RunSetup.IsDoneAsync(db, cancellationToken) ? Page() : RedirectToPage("/Account/Setup");

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Email))
            ModelState.AddModelError(nameof(Email), "Enter your email.");
        if (string.IsNullOrEmpty(Password))
            ModelState.AddModelError(nameof(Password), "Enter your password.");
        if (!ModelState.IsValid)
            return Page();

        var user = await signIn.UserManager.FindByEmailAsync(Email.Trim());
        var result = user is null
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            user!.LastSignInAt = clock.UtcNow;
            db.RecordUser(user.Id, "signed-in", user, await signIn.UserManager.GetRolesAsync(user), user.LastSignInAt.Value);
            await signIn.UserManager.UpdateAsync(user);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        }
        // One message for unknown email and wrong password, so the form does not reveal who has an account.
        ModelState.AddModelError("", result.IsLockedOut
            ? "Too many failed attempts: this account is locked for 15 minutes."
            : result.IsNotAllowed ? "This account cannot sign in." : "The email or password is wrong.");
        ShowMessage(ModelState[""]!.Errors[0].ErrorMessage);
        return Page();
    }
}
