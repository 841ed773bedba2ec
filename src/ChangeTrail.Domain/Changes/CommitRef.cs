using ChangeTrail.Domain.Common;

namespace ChangeTrail.Domain.Changes;

/// <summary>A commit a change ships, and who wrote it: its author may not approve the change.</summary>
public sealed record CommitRef(string Sha, string? AuthorEmail)
{
    /// <summary>An abbreviated SHA-1 at the shortest, a SHA-256 object name at the longest.</summary>
    public const int ShaMinLength = 7;
    public const int ShaMaxLength = 64;

    /// <summary>RFC 5321's longest address (64 + 1 + 255): whatever a commit's author line holds.</summary>
    public const int AuthorEmailMaxLength = 320;

    /// <summary>Whether <paramref name="sha"/> is a commit name: <see cref="ShaMinLength"/> to <see cref="ShaMaxLength"/> hexadecimal characters.</summary>
    public static bool IsSha(string? sha) =>
        sha is { Length: >= ShaMinLength and <= ShaMaxLength } && sha.All(char.IsAsciiHexDigit);

    /// <summary>Adds the error of a commit that is not a commit name, under <paramref name="field"/>.</summary>
    public static void Validate(ValidationErrors errors, string field, string? sha)
    {
        if (!IsSha(sha))
            errors.Add(field, $"A commit is {ShaMinLength} to {ShaMaxLength} hexadecimal characters.");
    }

    /// <summary>
    /// The first <see cref="ShaMinLength"/> characters, lower-cased: every name of a commit shares them, so records are
    /// looked up by this key (an equality, which every index serves) and then matched with <see cref="SameCommit"/>.
    /// </summary>
    public static string KeyOf(string sha) => sha[..ShaMinLength].ToLowerInvariant();

    /// <summary>
    /// Whether two names denote the same commit: equal ignoring case, or one an abbreviation of the other (git's short
    /// names), both at least <see cref="ShaMinLength"/> long.
    /// </summary>
    public static bool SameCommit(string a, string b) =>
        a.Length >= ShaMinLength && b.Length >= ShaMinLength &&
        (a.Length <= b.Length
            ? b.StartsWith(a, StringComparison.OrdinalIgnoreCase)
            : a.StartsWith(b, StringComparison.OrdinalIgnoreCase));
}
