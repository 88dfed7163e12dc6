using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;

namespace PushApi.Core.Identity;

/// <summary>Who a valid session token belongs to.</summary>
public sealed record SessionUser(long SessionId, long UserId, string Username, IReadOnlySet<string> Permissions, long? ApiClientId)
{
    public string UserSalesforceId => SalesforceId.Format(KeyPrefixes.User, UserId);

    public bool Has(string permission) => Permissions.Contains(permission);
}

/// <summary>
/// A session token and its SHA-256 in base 64, computed once a request: the key of the token's cached check
/// (<see cref="SessionStore"/>) and of its credential rate-limit bucket. Made only from the token, so the two always match.
/// </summary>
public sealed class SessionTokenDigest
{
    private SessionTokenDigest(string token, string key) => (Token, Key) = (token, key);

    public string Token { get; }

    public string Key { get; }

    public static SessionTokenDigest Of(string token) => new(token, Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
}

/// <summary>
/// Issues and checks session tokens. A token is the publisher org id (18 characters), <c>!</c> and 48
/// random base-62 characters: the shape the sf CLI accepts. Only its SHA-256 is stored; a session
/// expires after <see cref="IdentityOptions.SessionIdleTimeout"/> without use.
/// </summary>
public sealed class SessionStore(NpgsqlDataSource dataSource, PublisherOrganization organization, TimeProvider clock, IOptions<IdentityOptions> options)
{
    private const int RandomPartLength = 48;
    private const int MaxCachedSessions = 10_000;

    // Recently checked tokens (by hash): the user and until when the check holds.
    private readonly ConcurrentDictionary<string, (SessionUser User, DateTimeOffset Until)> _recent = new(StringComparer.Ordinal);

    public Task<string> CreateAsync(long userId, long? apiClientId, string? sourceAddress, CancellationToken cancellationToken = default) =>
        CreateAsync(userId, apiClientId, sourceAddress, null, cancellationToken);

    /// <summary>A new session, which ends with the refresh token it was got with (when one is given).</summary>
    public async Task<string> CreateAsync(long userId, long? apiClientId, string? sourceAddress, long? refreshTokenId, CancellationToken cancellationToken = default)
    {
        var org = await organization.GetAsync();
        var token = org.Id18 + "!" + Base62.Random(RandomPartLength);
        var now = clock.Now();
        await using var command = dataSource.CreateCommand(
            "INSERT INTO sessions (token_hash, user_id, api_client_id, created_at, last_used_at, source_address, refresh_token_id) VALUES ($1, $2, $3, $4, $4, $5, $6)");
        command.Parameters.Add(new NpgsqlParameter { Value = HashToken(token) });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)apiClientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)sourceAddress ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)refreshTokenId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return token;
    }

    /// <summary>The session's user, or null when the token is unknown, expired, or its user or client is disabled.</summary>
    public Task<SessionUser?> ValidateAsync(string token, CancellationToken cancellationToken = default) =>
        LooksLikeToken(token) ? ValidateAsync(SessionTokenDigest.Of(token), cancellationToken) : Task.FromResult<SessionUser?>(null);

    /// <summary>
    /// As <see cref="ValidateAsync(string, CancellationToken)"/>, for a token whose digest is already computed (the credential
    /// rate limit hashed it before routing): the check then hashes nothing.
    /// </summary>
    public async Task<SessionUser?> ValidateAsync(SessionTokenDigest token, CancellationToken cancellationToken = default)
    {
        if (!LooksLikeToken(token.Token))
        {
            return null;
        }

        var key = token.Key;
        if (_recent.TryGetValue(key, out var recent) && recent.Until > clock.GetUtcNow())
        {
            return recent.User;
        }

        var hash = Convert.FromBase64String(key);

        await using var command = dataSource.CreateCommand(
            """
            SELECT s.id, s.user_id, s.api_client_id, s.last_used_at, u.username, u.permissions, u.is_active AND coalesce(c.is_active, true)
            FROM sessions s
            JOIN users u ON u.id = s.user_id
            LEFT JOIN api_clients c ON c.id = s.api_client_id
            WHERE s.token_hash = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        SessionUser user;
        DateTimeOffset lastUsed;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || !reader.GetBoolean(6))
            {
                return null;
            }

            lastUsed = reader.GetFieldValue<DateTimeOffset>(3);
            user = new SessionUser(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetString(4),
                Permissions.Effective(reader.GetFieldValue<string[]>(5)),
                reader.IsDBNull(2) ? null : reader.GetInt64(2));
        }

        var now = clock.Now();
        if (now - lastUsed > options.Value.SessionIdleTimeout)
        {
            await RevokeAsync(user.SessionId, cancellationToken);
            return null;
        }

        if (now - lastUsed > options.Value.SessionTouchInterval)
        {
            await using var touch = dataSource.CreateCommand("UPDATE sessions SET last_used_at = $2 WHERE id = $1");
            touch.Parameters.Add(new NpgsqlParameter { Value = user.SessionId });
            touch.Parameters.Add(new NpgsqlParameter { Value = now });
            await touch.ExecuteNonQueryAsync(cancellationToken);
        }

        Remember(key, user, now);
        return user;
    }

    private void Remember(string key, SessionUser user, DateTimeOffset now)
    {
        var duration = options.Value.SessionCacheDuration;
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        if (_recent.Count >= MaxCachedSessions)
        {
            foreach (var stale in _recent.Where(e => e.Value.Until <= now).Select(e => e.Key).ToList())
            {
                _recent.TryRemove(stale, out _);
            }

            if (_recent.Count >= MaxCachedSessions)
            {
                return;
            }
        }

        _recent[key] = (user, now + duration);
    }

    private void Forget(Func<SessionUser, bool> which)
    {
        foreach (var entry in _recent.Where(e => which(e.Value.User)).Select(e => e.Key).ToList())
        {
            _recent.TryRemove(entry, out _);
        }
    }

    public async Task RevokeAsync(long sessionId, CancellationToken cancellationToken = default)
    {
        Forget(u => u.SessionId == sessionId);
        await using var command = dataSource.CreateCommand("DELETE FROM sessions WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends the session of a token (OAuth revoke); false when no session has it.</summary>
    public async Task<bool> RevokeTokenAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!LooksLikeToken(token))
        {
            return false;
        }

        var hash = HashToken(token);
        _recent.TryRemove(Convert.ToBase64String(hash), out _);
        await using var command = dataSource.CreateCommand("DELETE FROM sessions WHERE token_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Forgets the cached checks of a user's sessions (their refresh tokens were revoked, which ended them in the database).</summary>
    public void ForgetUser(long userId) => Forget(u => u.UserId == userId);

    /// <summary>Ends every session of a user (password reset, deactivation).</summary>
    public async Task RevokeAllAsync(long userId, CancellationToken cancellationToken = default)
    {
        Forget(u => u.UserId == userId);
        await using var command = dataSource.CreateCommand("DELETE FROM sessions WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes sessions idle past the timeout; returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM sessions WHERE last_used_at < $1");
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() - options.Value.SessionIdleTimeout });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>00D + 15 characters, '!', then word characters or dots; anything else is rejected without a query.</summary>
    public static bool LooksLikeToken(string token)
    {
        if (token.Length is < 20 or > 200 || !token.StartsWith(KeyPrefixes.Organization, StringComparison.Ordinal) || token[18] != '!')
        {
            return false;
        }

        foreach (var c in token.AsSpan(19))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '.' and not '_')
            {
                return false;
            }
        }

        return Base62.IsAlphanumeric(token.AsSpan(0, 18));
    }

    private static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

}
