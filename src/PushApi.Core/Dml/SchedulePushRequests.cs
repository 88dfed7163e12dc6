using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>When a request must start (scheduled), or that it no longer must (<see cref="StartAt"/> null: aborted).</summary>
public readonly record struct StartChange(long RequestId, DateTimeOffset? StartAt);

/// <summary>
/// Schedules Created push requests (Status Pending), their jobs with them, in the caller's
/// transaction. Each starts at its ScheduledStartTime, or now when that is past or not set.
/// </summary>
public sealed class SchedulePushRequests(TimeProvider clock)
{
    /// <summary>Schedules the requests as of <paramref name="now"/> (the caller's clock reading, so one write has one time; now when null).</summary>
    public async Task<List<StartChange>> RunAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, CancellationToken cancellationToken, DateTimeOffset? now = null)
    {
        var starts = new List<StartChange>(requestIds.Count);
        if (requestIds.Count == 0)
        {
            return starts;
        }

        await using var command = new NpgsqlCommand(RequestStatusChanges.Schedule.Sql, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(now ?? clock.Now()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            starts.Add(new StartChange(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return starts;
    }
}
