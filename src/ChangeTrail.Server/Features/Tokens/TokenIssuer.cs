using ChangeTrail.Domain.Common;
using ChangeTrail.Domain.Identity;
using ChangeTrail.Persistence;
using ChangeTrail.Persistence.Identity;
using ChangeTrail.Persistence.Ledger;
using ChangeTrail.Server.Auth;

namespace ChangeTrail.Server.Features.Tokens;

/// <summary>
/// What a new token is to be, once its request and its maker are known: <c>CreatedWithTokenId</c> is the token that
/// asked for it, if one did; <c>PersonallyIssued</c> says its owner made it by proving who they are, the only way to a
/// personal scope.
/// </summary>
public sealed record TokenGrant(Guid OwnerId, string Name, IReadOnlyList<string> Scopes, DateTime ExpiresAt, Guid CreatedById,
    Guid? CreatedWithTokenId, bool PersonallyIssued);

/// <summary>
/// Issues API tokens: validates name, scopes and expiry, stores only the hash, returns the secret once. No credential
/// outlives its maker: a token expires within <c>ChangeTrail:Tokens:MaxLifetime</c> and never after the token that
/// created it.
/// </summary>
public static class TokenIssuer
{
    public const int NameMaxLength = 100;
    public const int MaxScopes = 50;

    /// <summary>The latest expiry a new token may have: the lifetime cap, or its maker's own expiry if sooner.</summary>
    public static DateTime LatestExpiry(DateTime now, TimeSpan maxLifetime, DateTime? makerExpiry) =>
        makerExpiry is { } maker && maker < now + maxLifetime ? maker : now + maxLifetime;

    /// <summary>Validates a token request; the expiry it will get (the one asked for, or the latest allowed).</summary>
    public static Result<DateTime> Validate(string? name, IReadOnlyList<string> scopes, DateTime? expiresAt, bool forServiceAccount,
        DateTime latestExpiry, DateTime now) =>
        Validate(name, scopes, expiresAt, forServiceAccount, latestExpiry, now, new ValidationErrors());

    /// <summary>As above, adding to <paramref name="errors"/> a caller collects with its own, so one answer names every field.</summary>
    public static Result<DateTime> Validate(string? name, IReadOnlyList<string> scopes, DateTime? expiresAt, bool forServiceAccount,
        DateTime latestExpiry, DateTime now, ValidationErrors errors)
    {
        errors.Require("name", name, NameMaxLength);
        if (scopes.Count == 0)
            errors.Add("scopes", "Give the token at least one scope.");
        else if (scopes.Count > MaxScopes)
            errors.Add("scopes", $"At most {MaxScopes} scopes.");
        for (var i = 0; i < scopes.Count && i < MaxScopes; i++)
        {
            if (scopes[i] is null)
                errors.Add($"scopes[{i}]", "A scope is a string.");
            else if (!Scopes.IsValid(scopes[i]))
                errors.Add($"scopes[{i}]", $"Unknown scope '{Shorten(scopes[i])}'. Known: {string.Join(", ", Scopes.All)}, gate:<environment>.");
            else if (forServiceAccount && !Scopes.AllowedForServiceAccounts(scopes[i]))
                errors.Add($"scopes[{i}]", $"A service account cannot hold the '{scopes[i]}' scope.");
        }
        var expiry = Hosting.Clock.AsUtc(expiresAt) ?? latestExpiry;
        if (expiry <= now)
            errors.Add("expiresAt", "The expiry must be in the future.");
        else if (expiry > latestExpiry)
            errors.Add("expiresAt", $"At most {latestExpiry:yyyy-MM-ddTHH:mm:ssZ}: a token expires within the maximum lifetime, " +
                "and never after the token that creates it.");
        return errors.Any ? errors.ToResult().Error! : expiry;
    }

    public static (ApiToken Token, string Secret) Issue(ChangeTrailDbContext db, TokenGrant grant, DateTime now)
    {
        var secret = TokenSecrets.Generate();
        var token = new ApiToken
        {
            Id = Guid.NewGuid(),
            OwnerId = grant.OwnerId,
            Name = grant.Name.Trim(),
            TokenHash = TokenSecrets.Hash(secret),
            Prefix = TokenSecrets.DisplayPrefix(secret),
            Scopes = grant.Scopes.Distinct().Order(StringComparer.Ordinal).ToList(),
            CreatedById = grant.CreatedById,
            CreatedWithTokenId = grant.CreatedWithTokenId,
            PersonallyIssued = grant.PersonallyIssued,
            CreatedAt = now,
            ExpiresAt = grant.ExpiresAt,
        };
        db.ApiTokens.Add(token);
        db.Record(LedgerSubjects.ApiToken, grant.CreatedById, "created", token, now);
        return (token, secret);
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
