namespace ChangeTrail.Domain.Identity;

/// <summary>
/// How a decision names the credential it came with: <c>token:&lt;id&gt;</c> for an API token, <c>session:&lt;id&gt;</c>
/// for a web session (whose sign-in is a ledger entry of the same id). An auditor follows it to who held it and how it
/// was made.
/// </summary>
public static class Credentials
{
    public const int MaxLength = 80;

    public static string Token(Guid tokenId) => $"token:{tokenId}";

    public static string Session(string sessionId) => $"session:{sessionId}";
}
