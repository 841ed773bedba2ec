using System.Security.Cryptography;
using ChangeTrail.Contracts;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Auth;

namespace ChangeTrail.Server.Features.Users;

/// <summary>
/// One-time invitations: instead of a password, an Admin adding a person gets a link where the person chooses their own.
/// The code is random, shown once and stored only as its hash; it works once, for <see cref="Lifetime"/>, and a new one
/// replaces the last.
/// </summary>
public static class Invitations
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public const string PagePath = "/invitation";

    /// <summary>Opens a new invitation for <paramref name="person"/> (saved with the person) and returns its link.</summary>
    public static InvitationResponse Open(AppUser person, string siteBase, DateTime now)
    {
        var code = Base64UrlCode();
        person.InvitationHash = TokenSecrets.Hash(code);
        person.InvitationExpiresAt = now + Lifetime;
        return new InvitationResponse($"{siteBase.TrimEnd('/')}{PagePath}?code={code}", person.InvitationExpiresAt.Value);
    }

    /// <summary>Whether <paramref name="person"/> has never chosen a password of their own: only then may an Admin invite them again.</summary>
    public static bool NotYetActivated(AppUser person) => person.PasswordHash is null || person.MustChangePassword;

    /// <summary>The site's address as the caller reached it (after trusted forwarded headers), for links in answers.</summary>
    public static string SiteBase(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    private static string Base64UrlCode() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
