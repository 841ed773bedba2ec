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
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }

    public bool IsUsableAt(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
