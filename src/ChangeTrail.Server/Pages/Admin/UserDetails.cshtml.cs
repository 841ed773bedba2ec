using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Pages.Shared;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Pages.Admin;

/// <summary>
/// One person or service account: details, roles, tokens; create a token (its secret shown once, in this response) or
/// revoke one; for a person who has not chosen a password yet, a new invitation link (shown once too).
/// </summary>
[Authorize(Roles = nameof(Role.Admin))]
public sealed class UserDetailsModel(ChangeTrailDbContext db, Clock clock, UserManager<AppUser> users, IOptions<ChangeTrailOptions> options)
    : TokenOwnerPage(db, clock, options)
{
    public UserResponse Identity { get; private set; } = null!;

    /// <summary>Set only in the response that issued it: the person's new invitation link, never stored, never redirected with.</summary>
    public InvitationResponse? Invitation { get; private set; }

    /// <summary>A person who has not chosen a password of their own yet: invited, or holding a temporary one an Admin set.</summary>
    public bool AwaitsOwnPassword => Identity.Active && Identity.Password is PasswordState.Invited or PasswordState.Temporary;

    private Dictionary<string, string> Route => new() { ["id"] = Identity.Id.ToString() };

    public TokenListView TokenListView => TokenList(Identity.Id, Identity.DisplayName, "API tokens", Route);

    public TokenFormView TokenFormView => TokenForm(Identity.DisplayName, AdminView.IsServiceAccount(Identity),
        AdminView.IsServiceAccount(Identity) ? WithheldBecause.ServiceAccount
        : Identity.Id != Viewer.Id ? WithheldBecause.SomeoneElse
        : WithheldInOwnSession, Route);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostCreateTokenAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        await CreateTokenAsync(id, AdminView.IsServiceAccount(Identity), cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRolesAsync(Guid id, List<Role> roles, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        var result = await ChangeRoles.ExecuteAsync(id, roles, Viewer.Id, Db, users, Clock, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return Page();
        }
        Notice = $"Roles of {Identity.DisplayName} saved: {(roles.Count == 0 ? "none" : string.Join(", ", roles.Distinct()))}. Their browser sessions ended.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, Guid tokenId, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        return await RevokeListedTokenAsync(tokenId, cancellationToken) ? RedirectToPage(new { id }) : Page();
    }

    public async Task<IActionResult> OnPostInvitationAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        var result = await ReissueInvitation.ExecuteAsync(id, Viewer.Id, Invitations.SiteBase(Request), Db, users, Clock, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return Page();
        }
        // The link is in this response only, like a token's secret; the page is sent no-store.
        Invitation = result.Value;
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        var identity = (await ListUsers.ExecuteAsync(Db, cancellationToken)).SingleOrDefault(u => u.Id == id);
        if (identity is null)
            return false;
        Identity = identity;
        await LoadTokensAsync(id, cancellationToken);
        return true;
    }
}
