using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ChangeTrail.Server.Auth;

/// <summary>API token secrets: <c>ctp_</c> and 32 random bytes in base64url. Only their SHA-256 is stored.</summary>
public static class TokenSecrets
{
    public const string Prefix = "ctp_";
    private const int SecretLength = 43; // base64url of 32 bytes, unpadded

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string token) =>
        token.Length == Prefix.Length + SecretLength &&
        token.StartsWith(Prefix, StringComparison.Ordinal) &&
        token.AsSpan(Prefix.Length).ContainsAnyExcept(Base64UrlAlphabet) is false;

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Enough of the token for people to tell their tokens apart, too little to guess the rest.</summary>
    public static string DisplayPrefix(string token) => token[..12];

    private static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
