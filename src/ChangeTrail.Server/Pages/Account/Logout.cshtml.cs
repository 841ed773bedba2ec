using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>
/// Signing out is a POST (with antiforgery), so a link on another site cannot sign anyone out. It also
/// renews the security stamp: a copy of the session cookie taken before sign-out stops working too.
/// </summary>
public sealed class LogoutModel(SignInManager<AppUser> signIn) : ChangeTrailPage
{
    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.UserManager.GetUserAsync(User) is { } user)
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        return RedirectToPage("/Account/Login");
    }
}
