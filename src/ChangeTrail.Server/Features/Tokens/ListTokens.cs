using ChangeTrail.Contracts;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ChangeTrail.Server.Features.Tokens;

/// <summary>One identity's tokens (oldest first), and the names of the people who made them, for "made by" on a token list.</summary>
public sealed record OwnerTokens(IReadOnlyList<TokenResponse> Tokens, IReadOnlyDictionary<Guid, string> MakerNames)
{
    public static readonly OwnerTokens None = new([], new Dictionary<Guid, string>());
}

/// <summary>
/// The token lists of the web UI: a person's own (My tokens) and an Admin's page of an identity. Reads one identity's
/// tokens only, where <see cref="Users.ListUsers"/> reads every identity. Each expiry is the one in force: never later than
/// <c>ChangeTrail:Tokens:MaxLifetime</c> after creation, whatever was stored.
/// </summary>
public static class ListTokens
{
    public static async Task<OwnerTokens> ExecuteAsync(Guid ownerId, ChangeTrailDbContext db, ApiTokenOptions options,
        CancellationToken cancellationToken)
    {
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.OwnerId == ownerId).OrderBy(t => t.CreatedAt).ToListAsync(cancellationToken);
        var makerIds = tokens.Select(t => t.CreatedById).Distinct().ToList();
        var makers = await db.Users.AsNoTracking().Where(u => makerIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName })
            .ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return new OwnerTokens(tokens.Select(t => ToResponse(t) with { ExpiresAt = t.ExpiryUnder(options.MaxLifetime) }).ToList(), makers);
    }

    public static TokenResponse ToResponse(ApiToken token) => new(token.Id, token.Name, token.Prefix, token.Scopes, token.CreatedAt,
        token.ExpiresAt, token.RevokedAt, token.LastUsedAt, token.CreatedById, token.PersonallyIssued);
}
