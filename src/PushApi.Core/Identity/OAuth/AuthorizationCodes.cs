using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;

namespace PushApi.Core.Identity.OAuth;

/// <summary>Why a code exchange was refused.</summary>
public enum CodeProblem
{
    None,
    Invalid,
    Expired,
    Reused,
    RedirectMismatch,
    VerifierMismatch,
}

/// <summary>The outcome of a code exchange: the user, or the problem.</summary>
public sealed record CodeRedemption(CodeProblem Problem, long UserId = 0, byte[]? CodeHash = null);

/// <summary>
/// Authorization codes of the web-server flow: 48 base-62 characters, stored as their SHA-256, valid for
/// <see cref="OAuthOptions.AuthorizationCodeLifetime"/> and redeemed once, with the PKCE verifier (S256) when the
/// authorization asked for one. A second redemption revokes the refresh token (and with it the access tokens) the
/// first produced.
/// </summary>
public sealed class AuthorizationCodes(NpgsqlDataSource dataSource, RefreshTokens refreshTokens, TimeProvider clock, IOptions<OAuthOptions> options)
{
    private const int Length = 48;

    public async Task<string> IssueAsync(string clientId, long userId, string redirectUri, string? codeChallenge, CancellationToken cancellationToken = default)
    {
        var code = Base62.Random(Length);
        var now = clock.Now();
        await using var command = dataSource.CreateCommand(
            """
            WITH pruned AS (DELETE FROM oauth_codes WHERE expires_at < $7)
            INSERT INTO oauth_codes (code_hash, client_id, user_id, redirect_uri, code_challenge, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = Hash(code) });
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = redirectUri });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)codeChallenge ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = now + options.Value.AuthorizationCodeLifetime });
        command.Parameters.Add(new NpgsqlParameter { Value = now - TimeSpan.FromDays(1) });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return code;
    }

    /// <summary>Marks the code redeemed (once) and checks it against the client, the redirect URI and the verifier.</summary>
    public async Task<CodeRedemption> RedeemAsync(string code, string clientId, string redirectUri, string? codeVerifier, CancellationToken cancellationToken = default)
    {
        if (code.Length != Length || !Base62.IsAlphanumeric(code))
        {
            return new CodeRedemption(CodeProblem.Invalid);
        }

        var hash = Hash(code);
        await using var command = dataSource.CreateCommand(
            """
            UPDATE oauth_codes SET redeemed_at = $2 WHERE code_hash = $1 AND redeemed_at IS NULL
            RETURNING client_id, user_id, redirect_uri, code_challenge, expires_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            await reader.DisposeAsync();
            return await RevokeWhatAReusedCodeProducedAsync(hash, clientId, cancellationToken);
        }

        if (reader.GetString(0) != clientId)
        {
            return new CodeRedemption(CodeProblem.Invalid);
        }

        var challenge = reader.IsDBNull(3) ? null : reader.GetString(3);
        return clock.Now() > reader.GetFieldValue<DateTimeOffset>(4) ? new CodeRedemption(CodeProblem.Expired)
            : reader.GetString(2) != redirectUri ? new CodeRedemption(CodeProblem.RedirectMismatch)
            : !VerifierMatches(challenge, codeVerifier) ? new CodeRedemption(CodeProblem.VerifierMismatch)
            : new CodeRedemption(CodeProblem.None, reader.GetInt64(1), hash);
    }

    /// <summary>A code that is unknown, or was redeemed before: then the refresh token it produced is revoked.</summary>
    private async Task<CodeRedemption> RevokeWhatAReusedCodeProducedAsync(byte[] hash, string clientId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT user_id, refresh_token_id FROM oauth_codes WHERE code_hash = $1 AND client_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        long userId;
        long? produced;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new CodeRedemption(CodeProblem.Invalid);
            }

            userId = reader.GetInt64(0);
            produced = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        }

        if (produced is { } refreshTokenId)
        {
            await refreshTokens.RevokeAsync(refreshTokenId, userId, cancellationToken);
        }

        return new CodeRedemption(CodeProblem.Reused);
    }

    /// <summary>Links the refresh token a code produced to it, so a second redemption can revoke it.</summary>
    public async Task RecordProducedAsync(byte[] codeHash, long refreshTokenId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE oauth_codes SET refresh_token_id = $2 WHERE code_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = codeHash });
        command.Parameters.Add(new NpgsqlParameter { Value = refreshTokenId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// PKCE S256: base64url(SHA-256(verifier)) equals the challenge; with no challenge, no verifier is needed. Longer
    /// verifiers than RFC 7636's 128 characters are accepted: jsforce sends the base64url of 128 random bytes (171).
    /// </summary>
    public static bool VerifierMatches(string? challenge, string? verifier)
    {
        if (challenge is null)
        {
            return true;
        }

        if (string.IsNullOrEmpty(verifier) || verifier.Length > 1000)
        {
            return false;
        }

        var computed = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));
}
