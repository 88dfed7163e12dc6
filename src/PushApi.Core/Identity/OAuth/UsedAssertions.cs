using Npgsql;

namespace PushApi.Core.Identity.OAuth;

/// <summary>The JWT ids accepted so far, so each is accepted once; entries past their assertion's expiry are pruned.</summary>
public sealed class UsedAssertions(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Records the id; false when the client used it before.</summary>
    public async Task<bool> TryUseAsync(string clientId, string jti, DateTimeOffset keepUntil, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH pruned AS (DELETE FROM oauth_used_assertions WHERE expires_at < $4)
            INSERT INTO oauth_used_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = clientId });
        command.Parameters.Add(new NpgsqlParameter { Value = jti });
        command.Parameters.Add(new NpgsqlParameter { Value = keepUntil });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
