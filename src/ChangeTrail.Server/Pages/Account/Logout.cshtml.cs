using ChangeTrail.Server.Features.SignIn;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>
/// Signing out is a POST (with antiforgery), so a link on another site cannot sign anyone out. It is a ledger entry,
/// and it renews the security stamp: a copy of the session cookie taken before sign-out stops working too.
/// </summary>
public sealed class LogoutModel(WebSession session) : ChangeTrailPage
{
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await session.EndAsync(User, cancellationToken);
        return RedirectToPage("/Account/Login");
    }
}
