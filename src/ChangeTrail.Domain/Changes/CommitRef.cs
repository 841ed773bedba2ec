namespace ChangeTrail.Domain.Changes;

/// <summary>A commit a change ships, and who wrote it: its author may not approve the change.</summary>
public sealed record CommitRef(string Sha, string? AuthorEmail);
