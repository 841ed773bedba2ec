using System.Text;
using ChangeTrail.Contracts;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Api;
using ChangeTrail.Server.Auth;
using ChangeTrail.Server.Features.Tokens;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Users;

/// <summary>
/// GET /users, and with <c>?format=csv</c> the access-review export: every identity with its roles, state,
/// tokens and their last use, for the periodic review SOC 2 asks for.
/// </summary>
public static class ListUsers
{
    public static void Map(RouteGroupBuilder users) =>
        users.MapGet("/", HandleAsync).RequireAccess(Scopes.Admin, Role.Admin).WithName(nameof(ListUsers))
            .WithSummary("List users and service accounts (format=csv for the access review)");

    private static async Task<IResult> HandleAsync(string? format, ChangeTrailDbContext db, Clock clock, CancellationToken cancellationToken)
    {
        if (format is not (null or "json" or "csv"))
            return Problems.BadRequest("format", "Use 'json' or 'csv'.");
        var users = await ExecuteAsync(db, cancellationToken);
        return format == "csv"
            ? Results.File(Encoding.UTF8.GetBytes(ToCsv(users, clock.UtcNow)), "text/csv; charset=utf-8", "access-review.csv")
            : TypedResults.Ok(users);
    }

    public static async Task<IReadOnlyList<UserResponse>> ExecuteAsync(ChangeTrailDbContext db, CancellationToken cancellationToken)
    {
        var people = await db.Users.AsNoTracking().OrderBy(u => u.IsServiceAccount).ThenBy(u => u.DisplayName).ToListAsync(cancellationToken);
        var roles = await db.UserRoles.AsNoTracking().Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().OrderBy(t => t.CreatedAt).ToListAsync(cancellationToken);
        return people.Select(u => new UserResponse(
            u.Id,
            u.Email ?? "",
            u.DisplayName,
            u.IsServiceAccount ? "service-account" : "person",
            roles.Where(r => r.UserId == u.Id).Select(r => Enum.Parse<Role>(r.Name!)).Order().ToList(),
            u.IsActive,
            u.CreatedAt,
            u.DeactivatedAt,
            u.LastSignInAt,
            tokens.Where(t => t.OwnerId == u.Id).Select(ListTokens.ToResponse).ToList(),
            u.IsServiceAccount ? null : PasswordOf(u),
            u.InvitationExpiresAt)).ToList();
    }

    /// <summary>Whether the person has a password of their own yet: only then are their session and their decisions personal.</summary>
    public static PasswordState PasswordOf(AppUser person) =>
        person.PasswordHash is null ? PasswordState.Invited : person.MustChangePassword ? PasswordState.Temporary : PasswordState.Own;

    public static string ToCsv(IReadOnlyList<UserResponse> users, DateTime now)
    {
        var csv = new StringBuilder();
        csv.Append("id,email,displayName,kind,roles,active,createdAt,deactivatedAt,lastSignInAt,activeTokens,tokens,lastTokenUse,tokensCreatedByOthers\r\n");
        var names = users.ToDictionary(u => u.Id, u => u.Email.Length > 0 ? u.Email : u.DisplayName);
        foreach (var u in users)
        {
            var active = u.Tokens.Where(t => t.RevokedAt is null && (t.ExpiresAt is null || t.ExpiresAt > now)).ToList();
            var lastUse = u.Tokens.Max(t => t.LastUsedAt);
            // A token someone else made for this identity is worth a reviewer's second look: who holds it, and why?
            var byOthers = active.Where(t => t.CreatedById != u.Id)
                .Select(t => $"{t.Name} by {names.GetValueOrDefault(t.CreatedById, t.CreatedById.ToString())}");
            csv.AppendJoin(',', new[]
            {
                u.Id.ToString(), u.Email, u.DisplayName, u.Kind, string.Join(' ', u.Roles), u.Active ? "true" : "false",
                Instant(u.CreatedAt), Instant(u.DeactivatedAt), Instant(u.LastSignInAt), active.Count.ToString(),
                string.Join("; ", active.Select(t => $"{t.Name} [{string.Join(' ', t.Scopes)}] expires {(t.ExpiresAt is null ? "never" : Instant(t.ExpiresAt))}")),
                Instant(lastUse),
                string.Join("; ", byOthers),
            }.Select(Field));
            csv.Append("\r\n");
        }
        return csv.ToString();
    }

    private static string Instant(DateTime? value) => value?.ToString("yyyy-MM-ddTHH:mm:ssZ") ?? "";

    /// <summary>RFC 4180 quoting, and a leading apostrophe so a spreadsheet never runs a cell as a formula.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
