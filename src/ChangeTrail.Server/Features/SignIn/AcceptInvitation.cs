using ChangeTrail.Domain.Common;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.SignIn;

public sealed record InvitationInvalid()
    : DomainError(ErrorKind.NotFound, "invitation-invalid", "This invitation link does not work",
        "It was used already, it expired, or a newer one replaced it. Ask your administrator for a new link.");

/// <summary>
/// The invitation page's use case: the person behind a one-time link chooses their password. The link then stops
/// working, and the person is who signs in with it from now on.
/// </summary>
public static class AcceptInvitation
{
    /// <summary>Longer than any code an invitation holds (43 characters): a longer one is not looked up.</summary>
    public const int CodeMaxLength = 100;

    /// <summary>The invited person, if <paramref name="code"/> is an open invitation now.</summary>
    public static async Task<AppUser?> FindAsync(ChangeTrailDbContext db, string? code, DateTime now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(code) || code.Length > CodeMaxLength)
            return null;
        var hash = TokenSecrets.Hash(code);
        return await db.Users.SingleOrDefaultAsync(
            u => u.InvitationHash == hash && u.InvitationExpiresAt > now && u.DeactivatedAt == null && !u.IsServiceAccount, cancellationToken);
    }

    public static async Task<Result<AppUser>> ExecuteAsync(string? code, string? newPassword, ChangeTrailDbContext db, UserManager<AppUser> users,
        Clock clock, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var person = await FindAsync(db, code, now, cancellationToken);
        if (person is null)
            return new InvitationInvalid();
        if (string.IsNullOrEmpty(newPassword))
            return ValidationFailed.For("newPassword", "Choose a password.");
        // A refused password changes nothing: the link still works for a better one.
        var chosen = await PasswordSignIn.ChooseOwnPasswordAsync(users, db, person, newPassword, "invitation-accepted", now, cancellationToken);
        return chosen.IsSuccess ? person : chosen.Error!;
    }
}
