using System.Security.Cryptography;
using System.Text;
using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Configuration;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Features.Users;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.SignIn;

/// <summary>
/// The one answer to every refused sign-in: unknown account, wrong password, locked out or deactivated look the same,
/// so the door tells a guesser nothing about who has an account or how close they came.
/// </summary>
public sealed record InvalidCredentials()
    : DomainError(ErrorKind.Unauthenticated, "invalid-credentials", "Sign-in refused",
        "The email or password is wrong, or this account cannot sign in now.");

public sealed record PasswordChangeRequired()
    : DomainError(ErrorKind.Forbidden, "password-change-required", "Choose your own password",
        "Your password was set by an administrator, so it is temporary: give a new one of your own (newPassword) to go on.");

/// <summary>Where a sign-in came in: the web page or the token endpoint. Recorded with every attempt.</summary>
public enum SignInDoor
{
    Web,
    Api,
}

/// <summary>
/// Proves who a person is from their email and password, for the sign-in page and <c>POST /auth/tokens</c> alike. Every
/// refusal takes about as long as a success (a password hash is always checked) and is a ledger entry; a person whose
/// password an Admin set must choose their own (<c>newPassword</c>) before anything else.
/// </summary>
/// <remarks>
/// Failures are counted per account and client: five from one client within 15 minutes lock that client out of that
/// account for 15 minutes (a ledger entry too), so a stranger's guesses cannot keep the owner out from their own
/// machine. Identity's lockout, at <see cref="AccountLockoutThreshold"/> consecutive failures from anywhere, is the
/// backstop against guessing from many addresses.
/// </remarks>
public sealed class PasswordSignIn(ChangeTrailDbContext db, UserManager<AppUser> users, Clock clock, ILogger<PasswordSignIn> logger)
{
    public const int ClientLockoutThreshold = 5;
    public const int AccountLockoutThreshold = 50;
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan ClientLockout = TimeSpan.FromMinutes(15);

    // Checked when there is no account's hash to check, so an unknown email costs what a wrong password costs.
    private static string? s_decoyHash;

    /// <summary>
    /// The credentials' shape: an email and passwords no longer than any account's can be. Checked before anything is looked
    /// up, so an oversized attempt is refused without a query, a hash or a count towards lockout.
    /// </summary>
    public static void ValidateShape(string? email, string? password, string? newPassword, ValidationErrors errors)
    {
        errors.MaxLength("email", email, Identities.EmailMaxLength);
        errors.MaxLength("password", password, Identities.PasswordMaxLength);
        errors.MaxLength("newPassword", newPassword, Identities.PasswordMaxLength);
    }

    public async Task<Result<AppUser>> CheckAsync(string? email, string? password, string? newPassword, string client, SignInDoor door,
        CancellationToken cancellationToken)
    {
        var shape = new ValidationErrors();
        ValidateShape(email, password, newPassword, shape);
        if (shape.Any)
            return shape.ToResult().Error!;
        var now = clock.UtcNow;
        var user = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (user is { IsServiceAccount: true } or { PasswordHash: null })
            user = null;
        var passwordMatches = Verify(user, password ?? "");
        if (user is null)
        {
            await RecordAsync(new SignInAttemptEvent(null, AccountHash(email), "unknown-account", Via(door)), "failed", now, cancellationToken);
            return new InvalidCredentials();
        }

        var throttle = await db.SignInThrottles.SingleOrDefaultAsync(t => t.UserId == user.Id && t.Client == client, cancellationToken);
        var refusal = !user.IsActive ? "deactivated"
            : throttle?.LockedUntil > now || await users.IsLockedOutAsync(user) ? "locked-out"
            : passwordMatches == PasswordVerificationResult.Failed ? "wrong-password"
            : null;
        if (refusal is not null)
        {
            if (refusal == "wrong-password")
                await CountFailureAsync(user, throttle, client, door, now, cancellationToken);
            await RecordAsync(new SignInAttemptEvent(user.Id, null, refusal, Via(door)), "failed", now, cancellationToken);
            if (logger.IsEnabled(LogLevel.Information))
                logger.LogInformation("Sign-in refused for {UserId} from {Client} ({Reason}, {Door}).", user.Id, client, refusal, door);
            return new InvalidCredentials();
        }

        if (throttle is not null)
            db.SignInThrottles.Remove(throttle);
        if (user.AccessFailedCount > 0)
            user.AccessFailedCount = 0;
        if (user.MustChangePassword && string.IsNullOrEmpty(newPassword))
        {
            await db.SaveChangesAsync(cancellationToken);
            return new PasswordChangeRequired();
        }
        if (!string.IsNullOrEmpty(newPassword))
        {
            var changed = await ChooseOwnPasswordAsync(users, db, user, newPassword, "password-changed", now, cancellationToken);
            if (!changed.IsSuccess)
                return changed.Error!;
        }
        else if (passwordMatches == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = users.PasswordHasher.HashPassword(user, password!);
        }
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>
    /// Sets a password the person chose (a temporary one replaced, an invitation accepted): checked by the password
    /// rules first, so a refused one changes nothing; the security stamp renews, ending sessions begun with the old one,
    /// and an open invitation is spent.
    /// </summary>
    public static async Task<Result> ChooseOwnPasswordAsync(UserManager<AppUser> users, ChangeTrailDbContext db, AppUser user,
        string newPassword, string action, DateTime now, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        errors.MaxLength("newPassword", newPassword, Identities.PasswordMaxLength);
        // The point is a password only the person knows: keeping the one someone else set would defeat it.
        if (user.PasswordHash is not null && users.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash, newPassword) != PasswordVerificationResult.Failed)
            errors.Add("newPassword", "Choose a password other than your current one.");
        foreach (var validator in users.PasswordValidators)
        {
            var validated = await validator.ValidateAsync(users, user, newPassword);
            foreach (var error in validated.Errors)
                errors.Add("newPassword", error.Description);
        }
        if (errors.Any)
            return errors.ToResult();
        user.PasswordHash = users.PasswordHasher.HashPassword(user, newPassword);
        user.MustChangePassword = false;
        // Whatever way the person chose it, an invitation still open is now spent.
        user.InvitationHash = null;
        user.InvitationExpiresAt = null;
        db.Record(LedgerSubjects.User, user.Id, action, new UserWithRoles(user, await users.GetRolesAsync(user)), now);
        // Saves the user, the new stamp and the entry together.
        await users.UpdateSecurityStampAsync(user);
        return Result.Success;
    }

    private PasswordVerificationResult Verify(AppUser? user, string password)
    {
        if (user is not null)
            return users.PasswordHasher.VerifyHashedPassword(user, user.PasswordHash!, password);
        var decoy = s_decoyHash ??= users.PasswordHasher.HashPassword(new AppUser(), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        users.PasswordHasher.VerifyHashedPassword(new AppUser(), decoy, password);
        return PasswordVerificationResult.Failed;
    }

    private async Task CountFailureAsync(AppUser user, SignInThrottle? throttle, string client, SignInDoor door, DateTime now,
        CancellationToken cancellationToken)
    {
        if (throttle is null)
        {
            throttle = new SignInThrottle { UserId = user.Id, Client = client, WindowStartedAt = now };
            db.SignInThrottles.Add(throttle);
        }
        else if (now - throttle.WindowStartedAt > FailureWindow)
        {
            throttle.WindowStartedAt = now;
            throttle.Failures = 0;
            throttle.LockedUntil = null;
        }
        throttle.Failures++;
        if (throttle.Failures >= ClientLockoutThreshold)
        {
            throttle.LockedUntil = now + ClientLockout;
            db.Record(LedgerSubjects.SignInAttempt, SystemActor.Id, "locked-out", new SignInAttemptEvent(user.Id, null, "client-locked-out", Via(door)), now);
            logger.LogWarning("Sign-in to {UserId} from {Client} locked for {Minutes} minutes after {Failures} failures.", user.Id, client,
                ClientLockout.TotalMinutes, throttle.Failures);
        }
        // Identity's own count, across every client: the backstop. Saves everything above with it.
        await users.AccessFailedAsync(user);
    }

    private async Task RecordAsync(SignInAttemptEvent attempt, string action, DateTime now, CancellationToken cancellationToken)
    {
        db.Record(LedgerSubjects.SignInAttempt, SystemActor.Id, action, attempt, now);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static string Via(SignInDoor door) => door.ToString().ToLowerInvariant();

    /// <summary>The SHA-256 of the address typed, normalised as accounts are: enough to group attempts on one address.</summary>
    private static string? AccountHash(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToUpperInvariant())));
}
