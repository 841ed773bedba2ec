using System.Collections.Concurrent;
using System.Data.Common;
using ChangeTrail.Persistence.Identity;

namespace ChangeTrail.Server.Auth;

/// <summary>What authentication needs of a token's owner (no password hash or security stamp kept in memory).</summary>
public sealed record TokenOwner(Guid Id, string? Email, string DisplayName, bool IsServiceAccount, bool IsActive);

/// <summary>A token as authentication needs it: the token's row, its owner and the owner's role names.</summary>
public sealed class CachedToken(ApiToken token, TokenOwner owner, IReadOnlyList<string> roles, long epoch)
{
    private long _lastUsedTicks = token.LastUsedAt?.Ticks ?? 0;

    public ApiToken Token { get; } = token;
    public TokenOwner Owner { get; } = owner;
    public IReadOnlyList<string> Roles { get; } = roles;

    /// <summary>The <see cref="CredentialEpoch"/> value read before these rows were: they are current while it is.</summary>
    public long Epoch { get; } = epoch;

    /// <summary>
    /// Whether the token's last use should be written now: at most once per <paramref name="precision"/> on this instance,
    /// claimed by the first request that finds it due, so requests arriving together do not all write.
    /// </summary>
    public bool ClaimLastUsedWrite(DateTime now, TimeSpan precision)
    {
        var last = Interlocked.Read(ref _lastUsedTicks);
        return now.Ticks - last > precision.Ticks && Interlocked.CompareExchange(ref _lastUsedTicks, now.Ticks, last) == last;
    }
}

/// <summary>
/// Tokens that authenticated recently, by the SHA-256 of their secret, each kept under the <see cref="CredentialEpoch"/>
/// value read before it was loaded. A request reads that one row (a primary-key read on a connection of its own, without
/// a DbContext) and uses a kept token only when the value is the same: any revocation, deactivation or role change,
/// on any instance, has changed it in its own transaction, so the next request loads the token again.
/// </summary>
public sealed class TokenCache(Func<DbConnection> connect)
{
    // Past this many tokens the cache starts again: only tokens that authenticated are kept, so this is reached only by
    // deployments with that many live tokens, which then pay a load now and then.
    private const int MaxTokens = 10_000;

    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);

    /// <summary>The current value of <see cref="CredentialEpoch"/>, read from the database.</summary>
    public async Task<long> ReadEpochAsync(CancellationToken cancellationToken)
    {
        await using var connection = connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = CredentialEpoch.ReadSql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)
            ?? throw new InvalidOperationException("The CredentialEpoch row is missing: the database was not migrated."));
    }

    /// <summary>The token kept for <paramref name="hash"/>, if it was loaded under <paramref name="epoch"/>.</summary>
    public CachedToken? Find(string hash, long epoch) =>
        _tokens.TryGetValue(hash, out var kept) && kept.Epoch == epoch ? kept : null;

    public void Keep(string hash, CachedToken token)
    {
        if (_tokens.Count >= MaxTokens)
            _tokens.Clear();
        _tokens[hash] = token;
    }
}
