using Npgsql;
using PushApi.Core.Push.Status;
using PushApi.Core.Telemetry;

namespace PushApi.Core.Dml;

/// <summary>
/// Schedules Created push requests (Status Pending), their jobs with them, in the caller's
/// transaction. Each starts at its ScheduledStartTime, or now when that is past or not set.
/// </summary>
public sealed class SchedulePushRequests(TimeProvider clock)
{
    /// <summary>Schedules the requests as of <paramref name="now"/> (the caller's clock reading, so one write has one time; now when null).</summary>
    public async Task<List<StartChange>> RunAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, CancellationToken cancellationToken, DateTimeOffset? now = null)
    {
        var scheduled = await StartChange.RunAsync(connection, RequestStatusChanges.Schedule, requestIds, now ?? clock.Now(), reader => new StartChange(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1)), cancellationToken);

        // The engine's spans of these requests' batches link back to the trace of the call that scheduled them.
        await PushTraces.RecordSchedulingAsync(connection, [.. scheduled.Select(s => s.RequestId)], cancellationToken);
        return scheduled;
    }
}
