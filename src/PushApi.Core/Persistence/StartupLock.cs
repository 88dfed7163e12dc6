using Npgsql;

namespace PushApi.Core.Persistence;

/// <summary>
/// A session-level PostgreSQL advisory lock held while an instance migrates and seeds the database,
/// so instances starting together take turns instead of racing.
/// </summary>
public sealed class StartupLock : IAsyncDisposable
{
    /// <summary>"PushApi" in ASCII: the lock key no other application is likely to use.</summary>
    public const long Key = 0x50_75_73_68_41_70_69;

    private readonly NpgsqlConnection _connection;

    private StartupLock(NpgsqlConnection connection)
    {
        _connection = connection;
    }

    /// <summary>The connection that holds the lock; do the guarded work on it.</summary>
    public NpgsqlConnection Connection => _connection;

    public static async Task<StartupLock> AcquireAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return new StartupLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({Key})", _connection);
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            await _connection.DisposeAsync();
        }
    }
}
