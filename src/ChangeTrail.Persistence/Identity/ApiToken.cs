namespace ChangeTrail.Persistence.Identity;

/// <summary>
/// A bearer token. Only the SHA-256 of the secret is stored: the token is shown once at creation and
/// cannot be recovered from the database.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";

    /// <summary>The first characters of the token, so people can tell their tokens apart.</summary>
    public string Prefix { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public Guid CreatedById { get; set; }

    /// <summary>The token that created this one, if one did: this token never expires after it.</summary>
    public Guid? CreatedWithTokenId { get; set; }

    /// <summary>
    /// The owner created it by proving who they are (their password, or their own web session): only such a token may
    /// hold a personal scope such as <c>changes:approve</c>. Never true for a token someone else created.
    /// </summary>
    public bool PersonallyIssued { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }

    /// <summary>
    /// When the token stops working: its own expiry, and never later than <paramref name="maxLifetime"/> after its
    /// creation, whatever was stored (tokens made before the cap existed, or a lowered cap).
    /// </summary>
    public DateTime ExpiryUnder(TimeSpan maxLifetime)
    {
        var cap = CreatedAt + maxLifetime;
        return ExpiresAt is { } expires && expires < cap ? expires : cap;
    }
}
