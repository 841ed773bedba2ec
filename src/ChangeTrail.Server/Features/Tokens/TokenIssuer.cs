using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Auth;

namespace ChangeTrail.Server.Features.Tokens;

/// <summary>Issues API tokens: validates name, scopes and expiry, stores only the hash, returns the secret once.</summary>
public static class TokenIssuer
{
    public static Result Validate(string? name, IReadOnlyList<string> scopes, DateTime? expiresAt, bool forServiceAccount, DateTime now)
    {
        var errors = new ValidationErrors();
        errors.Require("name", name, 100);
        if (scopes.Count == 0)
            errors.Add("scopes", "Give the token at least one scope.");
        for (var i = 0; i < scopes.Count; i++)
        {
            if (!Scopes.IsValid(scopes[i]))
                errors.Add($"scopes[{i}]", $"Unknown scope '{scopes[i]}'. Known: {string.Join(", ", Scopes.All)}, gate:<environment>.");
            else if (forServiceAccount && !Scopes.AllowedForServiceAccounts(scopes[i]))
                errors.Add($"scopes[{i}]", $"A service account cannot hold the '{scopes[i]}' scope.");
        }
        if (Hosting.Clock.AsUtc(expiresAt) is { } expiry && expiry <= now)
            errors.Add("expiresAt", "The expiry must be in the future.");
        return errors.ToResult();
    }

    public static (ApiToken Token, string Secret) Issue(ChangeTrailDbContext db, Guid ownerId, string name, IEnumerable<string> scopes,
        DateTime? expiresAt, Guid createdBy, DateTime now)
    {
        var secret = TokenSecrets.Generate();
        var token = new ApiToken
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            Name = name.Trim(),
            TokenHash = TokenSecrets.Hash(secret),
            Prefix = TokenSecrets.DisplayPrefix(secret),
            Scopes = scopes.Distinct().Order(StringComparer.Ordinal).ToList(),
            CreatedById = createdBy,
            CreatedAt = now,
            ExpiresAt = Hosting.Clock.AsUtc(expiresAt) is { } e ? Hosting.Clock.Truncate(e) : null,
        };
        db.ApiTokens.Add(token);
        db.RecordToken(createdBy, "created", token, now);
        return (token, secret);
    }
}
