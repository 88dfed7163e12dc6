using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>When a request must start (scheduled), or that it no longer must (<see cref="StartAt"/> null: aborted).</summary>
public readonly record struct StartChange(long RequestId, DateTimeOffset? StartAt)
{
    /// <summary>
    /// Runs a request status change over <paramref name="requestIds"/> (<c>$1</c>) as of <paramref name="now"/>
    /// (<c>$2</c>) in the caller's transaction: one change per request the statement returns.
    /// </summary>
    internal static async Task<List<StartChange>> RunAsync(NpgsqlConnection connection, StatusStatement statement, IReadOnlyCollection<long> requestIds, DateTimeOffset now, Func<NpgsqlDataReader, StartChange> read, CancellationToken cancellationToken)
    {
        var changes = new List<StartChange>(requestIds.Count);
        if (requestIds.Count == 0)
        {
            return changes;
        }

        await using var command = new NpgsqlCommand(statement.Sql, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(now));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(read(reader));
        }

        return changes;
    }
}
