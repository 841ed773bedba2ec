using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Users;

/// <summary>Creating people and service accounts through ASP.NET Core Identity (password hashing, lockout), with their roles, atomically.</summary>
public static class Identities
{
    public const string ServiceAccountUserNamePrefix = "svc-";
    public const int EmailMaxLength = 256;
    public const int DisplayNameMaxLength = 200;

    /// <summary>Long enough for any passphrase; short enough that hashing one costs nothing unusual.</summary>
    public const int PasswordMaxLength = 512;

    public static void ValidatePerson(string? email, string? displayName, ValidationErrors errors)
    {
        errors.Require("email", email, EmailMaxLength);
        if (!string.IsNullOrWhiteSpace(email) && email.Length <= EmailMaxLength && !System.Net.Mail.MailAddress.TryCreate(email.Trim(), out _))
            errors.Add("email", "This is not an email address.");
        errors.Require("displayName", displayName, DisplayNameMaxLength);
    }

    /// <summary>Roles as given: each at most once, and for a service account only those a pipeline may hold (policy 3.7).</summary>
    public static void ValidateRoles(IReadOnlyList<Role>? roles, bool forServiceAccount, ValidationErrors errors)
    {
        roles ??= [];
        if (roles.Count > Enum.GetValues<Role>().Length)
        {
            errors.Add("roles", $"At most {Enum.GetValues<Role>().Length} roles, each once.");
            return;
        }
        for (var i = 0; i < roles.Count; i++)
        {
            if (roles.Take(i).Contains(roles[i]))
                errors.Add($"roles[{i}]", $"{roles[i]} is listed twice.");
            else if (forServiceAccount && !RoleRules.AllowedForServiceAccounts.Contains(roles[i]))
                errors.Add($"roles[{i}]", $"A service account may hold only {string.Join(", ", RoleRules.AllowedForServiceAccounts)}.");
        }
    }

    /// <summary>Creates the identity and its roles in one transaction: a half-created user cannot exist.</summary>
    public static async Task<Result<AppUser>> CreateAsync(UserManager<AppUser> users, ChangeTrailDbContext db, AppUser user,
        string? password, IReadOnlyCollection<Role> roles, Guid actorId, CancellationToken cancellationToken)
    {
        // Joins the caller's transaction when there is one (setup), or opens its own.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return ToError(created);
        if (roles.Count > 0)
        {
            var added = await users.AddToRolesAsync(user, roles.Distinct().Select(r => r.ToString()));
            if (!added.Succeeded)
                return ToError(added);
        }
        db.Record(LedgerSubjects.User, actorId, user.IsServiceAccount ? "service-account-created" : "created",
            new UserWithRoles(user, roles.Distinct().Select(r => r.ToString())), user.CreatedAt);
        await db.SaveChangesAsync(cancellationToken);
        if (transaction is not null)
            await transaction.CommitAsync(cancellationToken);
        return user;
    }

    public static Task<bool> EmailInUseAsync(ChangeTrailDbContext db, string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToUpperInvariant();
        return db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken);
    }

    public static async Task<IReadOnlyList<Role>> RolesOfAsync(ChangeTrailDbContext db, Guid userId, CancellationToken cancellationToken) =>
        (await db.UserRoles.Where(ur => ur.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .ToListAsync(cancellationToken))
        .Select(Enum.Parse<Role>).Order().ToList();

    /// <summary>
    /// Every active identity with <paramref name="role"/> (people only, when asked), but <paramref name="except"/>, by name, as ids:
    /// what a form offers to pick from.
    /// </summary>
    public static async Task<IReadOnlyList<(string Id, string Name)>> ActiveWithRoleAsync(ChangeTrailDbContext db, Role role, bool peopleOnly,
        CancellationToken cancellationToken, Guid? except = null)
    {
        var normalizedRole = role.ToString().ToUpperInvariant();
        return await db.Users.AsNoTracking()
            .Where(u => u.DeactivatedAt == null && (!peopleOnly || !u.IsServiceAccount) && u.Id != except &&
                        db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.NormalizedName == normalizedRole)))
            .OrderBy(u => u.DisplayName)
            .Select(u => new ValueTuple<string, string>(u.Id.ToString(), u.DisplayName))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The active identity <paramref name="reference"/> names — an id or an email — as an actor with its roles, or null.</summary>
    public static async Task<Actor?> ActiveActorAsync(ChangeTrailDbContext db, string reference, CancellationToken cancellationToken)
    {
        var candidates = db.Users.AsNoTracking().Where(u => u.DeactivatedAt == null);
        var normalized = reference.Trim().ToUpperInvariant();
        var user = await (Guid.TryParse(reference, out var id) ? candidates.Where(u => u.Id == id) : candidates.Where(u => u.NormalizedEmail == normalized))
            .FirstOrDefaultAsync(cancellationToken);
        return user is null ? null : new Actor(user.Id, user.Email ?? "", user.IsServiceAccount, (await RolesOfAsync(db, user.Id, cancellationToken)).ToHashSet());
    }

    private static ValidationFailed ToError(IdentityResult result)
    {
        var errors = new ValidationErrors();
        foreach (var error in result.Errors)
            errors.Add(error.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : error.Code.Contains("Email", StringComparison.Ordinal) ? "email"
                : error.Code.Contains("UserName", StringComparison.Ordinal) ? "name" : "$", error.Description);
        return (ValidationFailed)errors.ToResult().Error!;
    }
}
