using ChangeTrail.Contracts;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Hosting;
using ChangeTrail.Server.Pages.Admin;
using ChangeTrail.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Pages.Shared;

/// <summary>The token form as the browser posts it (<c>Form.*</c>), on an Admin's page of an identity and on My tokens.</summary>
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

/// <summary>Why some scopes are shown on a token form but cannot be ticked.</summary>
public enum WithheldBecause
{
    Nothing,

    /// <summary>Policy 3.7: a pipeline identity neither approves nor administers; and approvals are personal.</summary>
    ServiceAccount,

    /// <summary>Approvals are personal: an Admin cannot give someone else's token a personal scope.</summary>
    SomeoneElse,

    /// <summary>The person's own session, but not yet a personal credential (their password is still one an Admin set).</summary>
    SessionNotPersonal,
}

/// <summary>
/// What <c>_TokenList</c> shows: one identity's tokens, who made each ("you", the owner, or an Admin by name), and a
/// Revoke button (posting to the page's <c>Revoke</c> handler with <see cref="Route"/>) on each usable one.
/// </summary>
public sealed record TokenListView(OwnerTokens Tokens, Guid OwnerId, string OwnerName, Guid ViewerId, DateTime Now,
    IReadOnlyDictionary<string, string> Route, string Heading)
{
    public string MadeBy(TokenResponse token) =>
        token.CreatedById == ViewerId ? "you"
        : token.CreatedById == OwnerId ? $"{OwnerName} (themself)"
        : Tokens.MakerNames.GetValueOrDefault(token.CreatedById) ?? "an identity no longer listed";

    /// <summary>Personal scopes this token names but that count for nothing: someone other than its owner made it.</summary>
    public static IReadOnlyList<string> VoidScopes(TokenResponse token) =>
        token.PersonallyIssued ? [] : token.Scopes.Where(Scopes.IsPersonal).ToList();
}

/// <summary>
/// What <c>_TokenForm</c> shows: every scope, with those this caller cannot give this owner shown but disabled and the
/// reason in words; and the latest expiry an empty box means.
/// </summary>
public sealed record TokenFormView(CreateTokenForm Form, string OwnerName, bool ForServiceAccount, WithheldBecause Because,
    DateTime LatestExpiry, TimeSpan MaxLifetime, IReadOnlyDictionary<string, string> Route)
{
    public IReadOnlyList<string> Withheld { get; } = Scopes.All.Where(scope => Because switch
    {
        WithheldBecause.ServiceAccount => Scopes.IsPersonal(scope) || !Scopes.AllowedForServiceAccounts(scope),
        WithheldBecause.SomeoneElse or WithheldBecause.SessionNotPersonal => Scopes.IsPersonal(scope),
        _ => false,
    }).ToList();

    public bool IsWithheld(string scope) => Withheld.Contains(scope);

    /// <summary>The form is the owner's own: the personal scopes are theirs to give.</summary>
    public bool OwnForm => Because == WithheldBecause.Nothing && !ForServiceAccount;

    /// <summary>What the personal scopes are, for the owner's own form.</summary>
    public static IReadOnlyList<string> PersonalScopes { get; } = Scopes.All.Where(Scopes.IsPersonal).ToList();
}

/// <summary>
/// A page with one identity's tokens and the form to make another: an Admin's page of a person or service account, and a
/// person's own My tokens. Both go through the same use cases: <see cref="CreateToken"/> decides which scopes the caller may
/// give (a personal one only in the owner's own session), <see cref="RevokeToken"/> who may revoke.
/// </summary>
public abstract class TokenOwnerPage(ChangeTrailDbContext db, Clock clock, IOptions<ChangeTrailOptions> options) : ChangeTrailPage
{
    protected ChangeTrailDbContext Db { get; } = db;

    protected Clock Clock { get; } = clock;

    protected ApiTokenOptions TokenOptions => options.Value.Tokens;

    [BindProperty]
    public CreateTokenForm Form { get; set; } = new();

    public OwnerTokens Tokens { get; private set; } = OwnerTokens.None;

    /// <summary>Set only in the response to a successful creation; never stored, never redirected with.</summary>
    public CreatedTokenResponse? CreatedToken { get; private set; }

    public DateTime Now { get; private set; }

    /// <summary>What an empty expiry means for a token made here: a web session has no expiry of its own to stay under.</summary>
    public DateTime LatestExpiry => TokenIssuer.LatestExpiry(Now, TokenOptions.MaxLifetime, makerExpiry: null);

    /// <summary>
    /// On a person's own form: nothing withheld when the request comes with their own session, opened with a password only
    /// they know (the handler decides the same; a temporary password never opens a session, but the rule does not rely on it).
    /// </summary>
    protected WithheldBecause WithheldInOwnSession =>
        User.IsPersonalCredential() && User.TokenIdOf() is null ? WithheldBecause.Nothing : WithheldBecause.SessionNotPersonal;

    protected async Task LoadTokensAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        Now = Clock.UtcNow;
        Tokens = await ListTokens.ExecuteAsync(ownerId, Db, TokenOptions, cancellationToken);
    }

    /// <summary>Creates a token from the form; a refusal is shown in words, and the form keeps what was typed.</summary>
    protected async Task CreateTokenAsync(Guid ownerId, bool serviceAccount, CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
            return;
        var result = await CreateToken.ExecuteAsync(ownerId, serviceAccount, Form.ToRequest(), User, Db, Clock, TokenOptions, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return;
        }
        // The secret is in this response only. It is not cached: every page with a form is sent no-store by antiforgery.
        CreatedToken = result.Value;
        ModelState.Clear(); // an empty form for the next token
        Form = new();
        await LoadTokensAsync(ownerId, cancellationToken);
    }

    /// <summary>Revokes one of the tokens listed on this page (loaded first); true when done, else the refusal is shown.</summary>
    protected async Task<bool> RevokeListedTokenAsync(Guid tokenId, CancellationToken cancellationToken)
    {
        // Only a token this page lists: an Admin's page of one identity does not revoke another's through a forged form.
        var token = Tokens.Tokens.FirstOrDefault(t => t.Id == tokenId);
        Result result = token is null ? new RecordNotFound($"Token {tokenId}") : await RevokeToken.ExecuteAsync(tokenId, User, Db, Clock, cancellationToken);
        if (!result.IsSuccess)
        {
            ShowRefusal(result.Error!);
            return false;
        }
        Notice = $"The token '{token!.Name}' is revoked: it stopped working at once.";
        return true;
    }

    protected TokenListView TokenList(Guid ownerId, string ownerName, string heading, IReadOnlyDictionary<string, string> route) =>
        new(Tokens, ownerId, ownerName, Viewer.Id, Now, route, heading);

    protected TokenFormView TokenForm(string ownerName, bool serviceAccount, WithheldBecause because, IReadOnlyDictionary<string, string> route) =>
        new(Form, ownerName, serviceAccount, because, LatestExpiry, TokenOptions.MaxLifetime, route);
}
