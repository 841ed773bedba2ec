using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Pages.Admin;

public sealed class CreateTokenForm
{
    public string Name { get; set; } = "";
    public List<string> Scopes { get; set; } = [];

    /// <summary>Environments typed by hand, each becoming a <c>gate:&lt;environment&gt;</c> scope.</summary>
    public string? GateEnvironments { get; set; }

    /// <summary>What a datetime-local box sends: no zone, and the label says UTC.</summary>
    public DateTime? ExpiresAt { get; set; }

    public CreateTokenRequest ToRequest() => new(
        Name,
        Scopes.Concat(AdminView.SplitList(GateEnvironments).Select(e => Domain.Identity.Scopes.GatePrefix + e)).ToList(),
        ExpiresAt is { } expiry ? DateTime.SpecifyKind(expiry, DateTimeKind.Utc) : null);
}

/// <summary>One person or service account: details, roles, tokens; create a token (its secret shown once, in this response) or revoke one.</summary>
[Authorize(Roles = nameof(Role.Admin))]
public sealed class UserDetailsModel(ChangeTrailDbContext db, Clock clock, UserManager<AppUser> users, IOptions<ChangeTrailOptions> options)
    : ChangeTrailPage
{
    [BindProperty]
    public CreateTokenForm Form { get; set; } = new();

    public UserResponse Identity { get; private set; } = null!;

    /// <summary>Set only in the response to a successful creation; never stored, never redirected with.</summary>
    public CreatedTokenResponse? CreatedToken { get; private set; }

    public DateTime Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken) =>
        await LoadAsync(id, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostCreateTokenAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        if (!ModelState.IsValid)
            return Page();
        var result = await CreateToken.ExecuteAsync(id, AdminView.IsServiceAccount(Identity), Form.ToRequest(), User, db, clock,
            options.Value.Tokens, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return Page();
        }
        // The secret is in this response only. It is not cached: every page with a form is sent no-store by antiforgery.
        CreatedToken = result.Value;
        ModelState.Clear(); // an empty form for the next token
        Form = new();
        await LoadAsync(id, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRolesAsync(Guid id, List<Role> roles, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(id, cancellationToken))
            return NotFound();
        var result = await ChangeRoles.ExecuteAsync(id, roles, Viewer.Id, db, users, clock, cancellationToken);
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
        var result = await RevokeToken.ExecuteAsync(tokenId, User, db, clock, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return Page();
        }
        var name = Identity.Tokens.FirstOrDefault(t => t.Id == tokenId)?.Name;
        Notice = $"The token {(name is null ? "" : $"'{name}' ")}is revoked: it stopped working at once.";
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken cancellationToken)
    {
        Now = clock.UtcNow;
        var identity = (await ListUsers.ExecuteAsync(db, cancellationToken)).SingleOrDefault(u => u.Id == id);
        if (identity is null)
            return false;
        Identity = identity;
        return true;
    }
}
