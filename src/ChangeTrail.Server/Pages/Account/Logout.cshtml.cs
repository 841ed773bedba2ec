using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>Signing out is a POST (with antiforgery), so a link on another site cannot sign anyone out.</summary>
public sealed class LogoutModel(SignInManager<AppUser> signIn) : ChangeTrailPage
{
    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        return RedirectToPage("/Account/Login");
    }
}
