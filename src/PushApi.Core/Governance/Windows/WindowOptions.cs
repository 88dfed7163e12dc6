using Npgsql;
using PushApi.Core.Persistence;

namespace PushApi.Core.Governance.Windows;

/// <summary>
/// A push's choice about maintenance windows: whether its jobs wait for their tenants' windows, and until when
/// (<see cref="Deadline"/>; jobs still waiting then fail with "Window Missed"). Requests made through the
/// Salesforce objects take <see cref="Default"/>: they respect windows, with no deadline.
/// </summary>
public sealed record WindowOptions(bool RespectWindows, DateTimeOffset? Deadline)
{
    public static readonly WindowOptions Default = new(true, null);

    /// <summary>Stores the options on a request being created (in its transaction, before it is scheduled).</summary>
    public async Task SaveAsync(NpgsqlConnection connection, long requestId, CancellationToken cancellationToken)
    {
        if (this == Default)
        {
            return;
        }

        await using var command = new NpgsqlCommand("UPDATE push_requests SET respect_windows = $2, window_deadline = $3 WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(requestId));
        command.Parameters.Add(SqlParameters.Value(RespectWindows));
        command.Parameters.Add(new NpgsqlParameter { Value = Deadline is { } d ? d.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The options a request was created with (a retry keeps them).</summary>
    public static async Task<WindowOptions> LoadAsync(NpgsqlConnection connection, long requestId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT respect_windows, window_deadline FROM push_requests WHERE id = $1", connection);
        command.Parameters.Add(SqlParameters.Value(requestId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new WindowOptions(reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1))
            : Default;
    }
}
