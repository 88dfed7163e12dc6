using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;

namespace PushApi.Core.Identity.OAuth;

/// <summary>A refresh token's grant: whose it is and which client it was issued to.</summary>
public sealed record RefreshGrant(long Id, long UserId, string ClientId, long? ApiClientId);

/// <summary>
/// Refresh tokens: 64 base-62 characters (they fit a <c>force://</c> URL), only their SHA-256 stored. A token unused
/// for <see cref="OAuthOptions.RefreshTokenIdleDays"/> expires; revoking one ends the access tokens got with it.
/// </summary>
public sealed class RefreshTokens(NpgsqlDataSource dataSource, SessionStore sessions, TimeProvider clock, IOptions<OAuthOptions> options)
{
    private const int Length = 64;

    /// <summary>A new refresh token for the user through the client, and its id.</summary>
    public async Task<(string Token, long Id)> IssueAsync(long userId, string clientId, long? apiClientId, CancellationToken cancellationToken = default)
    {
        var token = Base62.Random(Length);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO refresh_tokens (token_hash, user_id, client_id, api_client_id, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id");
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(token) });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)apiClientId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        return (token, (long)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    /// <summary>The grant of a live token issued to this client whose user (and API client) is active, or null; a use keeps it alive.</summary>
    public async Task<RefreshGrant?> RedeemAsync(string token, string clientId, CancellationToken cancellationToken = default)
    {
        if (!LooksLikeToken(token))
        {
            return null;
        }

        await using var command = dataSource.CreateCommand(
            """
            SELECT r.id, r.user_id, r.client_id, r.api_client_id, r.last_used_at, u.is_active AND coalesce(c.is_active, true)
            FROM refresh_tokens r
            JOIN users u ON u.id = r.user_id
            LEFT JOIN api_clients c ON c.id = r.api_client_id
            WHERE r.token_hash = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(token) });
        RefreshGrant grant;
        DateTimeOffset lastUsed;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || !reader.GetBoolean(5) || reader.GetString(2) != clientId)
            {
                return null;
            }

            grant = new RefreshGrant(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
            lastUsed = reader.GetFieldValue<DateTimeOffset>(4);
        }

        var now = clock.Now();
        if (now - lastUsed > TimeSpan.FromDays(options.Value.RefreshTokenIdleDays))
        {
            await RevokeAsync(grant.Id, grant.UserId, cancellationToken);
            return null;
        }

        await using var touch = dataSource.CreateCommand("UPDATE refresh_tokens SET last_used_at = $2 WHERE id = $1");
        touch.Parameters.Add(new NpgsqlParameter { Value = grant.Id });
        touch.Parameters.Add(new NpgsqlParameter { Value = now });
        await touch.ExecuteNonQueryAsync(cancellationToken);
        return grant;
    }

    /// <summary>Revokes a token and the access tokens got with it; false when no refresh token has it.</summary>
    public async Task<bool> RevokeAsync(string token, CancellationToken cancellationToken = default)
    {
        if (!LooksLikeToken(token))
        {
            return false;
        }

        await using var command = dataSource.CreateCommand("DELETE FROM refresh_tokens WHERE token_hash = $1 RETURNING user_id");
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(token) });
        if (await command.ExecuteScalarAsync(cancellationToken) is not long userId)
        {
            return false;
        }

        sessions.ForgetUser(userId);
        return true;
    }

    /// <summary>Revokes a token by its id (a reused authorization code revokes what it produced).</summary>
    public async Task RevokeAsync(long id, long userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM refresh_tokens WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(cancellationToken);
        sessions.ForgetUser(userId);
    }

    /// <summary>Revokes every refresh token of a user (and the access tokens got with them); returns how many.</summary>
    public async Task<int> RevokeAllAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM refresh_tokens WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        var count = await command.ExecuteNonQueryAsync(cancellationToken);
        sessions.ForgetUser(userId);
        return count;
    }

    /// <summary>Base-62 of the issued length; anything else is refused without a query.</summary>
    public static bool LooksLikeToken(string token) => token.Length == Length && Base62.IsAlphanumeric(token);

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
