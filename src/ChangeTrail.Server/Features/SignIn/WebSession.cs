using System.Security.Claims;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Identity;

namespace ChangeTrail.Server.Features.SignIn;

/// <summary>
/// Starting and ending a web session, each a ledger entry. A session gets an id of its own at sign-in: its entries
/// carry it, and every decision taken in it records it as its credential (<c>session:&lt;id&gt;</c>).
/// </summary>
public sealed class WebSession(SignInManager<AppUser> signIn, ChangeTrailDbContext db, Clock clock)
{
    /// <summary>Signs <paramref name="user"/> in (the session cookie) after <paramref name="method"/> proved who they are.</summary>
    public async Task StartAsync(AppUser user, string method, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var sessionId = Guid.NewGuid().ToString("N");
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(ChangeTrailClaims.SessionId, sessionId)]);
        user.LastSignInAt = now;
        db.Record(LedgerSubjects.Session, user.Id, "signed-in", new SessionEvent(sessionId, user.Id, method), now);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Ends the session. It also renews the security stamp: a copy of the session cookie taken before sign-out stops
    /// working too.
    /// </summary>
    public async Task EndAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (await signIn.UserManager.GetUserAsync(principal) is { } user)
        {
            if (principal.FindFirstValue(ChangeTrailClaims.SessionId) is { } sessionId)
                db.Record(LedgerSubjects.Session, user.Id, "signed-out", new SessionEvent(sessionId, user.Id, "sign-out"), clock.UtcNow);
            // Saves the entry with the new stamp.
            await signIn.UserManager.UpdateSecurityStampAsync(user);
        }
        await signIn.SignOutAsync();
    }
}
