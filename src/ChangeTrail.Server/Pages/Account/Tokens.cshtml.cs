using ChangeTrail.Persistence;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Pages.Shared;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Pages.Account;

/// <summary>
/// My tokens: everyone signed in sees their own API tokens (and who made each), makes one — with <c>changes:approve</c>
/// if they wish, since this is their own session — and revokes their own. Only people sign in, so this is people only.
/// </summary>
public sealed class TokensModel(ChangeTrailDbContext db, Clock clock, IOptions<ChangeTrailOptions> options) : TokenOwnerPage(db, clock, options)
{
    private static readonly Dictionary<string, string> NoRoute = [];

    public string OwnerName => User.FindFirst(Auth.ChangeTrailClaims.Name)?.Value ?? Viewer.Email;

    public TokenListView TokenListView => TokenList(Viewer.Id, OwnerName, "Your tokens", NoRoute);

    public TokenFormView TokenFormView => TokenForm(OwnerName, serviceAccount: false, WithheldInOwnSession, NoRoute);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadTokensAsync(Viewer.Id, cancellationToken);

    public async Task<IActionResult> OnPostCreateTokenAsync(CancellationToken cancellationToken)
    {
        await LoadTokensAsync(Viewer.Id, cancellationToken);
        await CreateTokenAsync(Viewer.Id, serviceAccount: false, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        await LoadTokensAsync(Viewer.Id, cancellationToken);
        return await RevokeListedTokenAsync(tokenId, cancellationToken) ? RedirectToPage() : Page();
    }
}
