using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;

namespace PushApi.Core.Telemetry;

/// <summary>
/// The service's own spans (activity source <see cref="SourceName"/>): a <c>push.batch</c> span per batch of jobs the
/// engine runs, linked to the trace of the HTTP request that scheduled the push. That request's W3C traceparent is kept
/// on the push request (<c>scheduled_by_traceparent</c>) when it is scheduled, while tracing is on.
/// </summary>
public static class PushTraces
{
    public const string SourceName = "PushApi";

    public const string BatchSpan = "push.batch";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Keeps the current trace context (the scheduling HTTP request's) on the scheduled requests, in the caller's
    /// transaction. Nothing happens when no one listens to <see cref="Source"/> (tracing is off) or nothing is traced.
    /// </summary>
    public static async Task RecordSchedulingAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, CancellationToken cancellationToken)
    {
        if (requestIds.Count == 0 || !Source.HasListeners() || Activity.Current is not { IdFormat: ActivityIdFormat.W3C, Id: { } traceparent })
        {
            return;
        }

        await using var command = new NpgsqlCommand("UPDATE push_requests SET scheduled_by_traceparent = $2 WHERE id = ANY($1)", connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(new NpgsqlParameter { Value = traceparent });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A link to a stored traceparent; null when there is none or it does not parse.</summary>
    public static ActivityLink? LinkTo(string? traceparent) =>
        traceparent is not null && ActivityContext.TryParse(traceparent, null, isRemote: true, out var context) ? new ActivityLink(context) : null;
}
