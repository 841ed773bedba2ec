namespace ChangeTrail.Domain.Changes;

/// <summary>A commit a change ships, and who wrote it: its author may not approve the change.</summary>
public sealed record CommitRef(string Sha, string? AuthorEmail)
{
    /// <summary>An abbreviated SHA-1 at the shortest, a SHA-256 object name at the longest.</summary>
    public const int ShaMinLength = 7;
    public const int ShaMaxLength = 64;

    /// <summary>RFC 5321's longest address (64 + 1 + 255): whatever a commit's author line holds.</summary>
    public const int AuthorEmailMaxLength = 320;
}
