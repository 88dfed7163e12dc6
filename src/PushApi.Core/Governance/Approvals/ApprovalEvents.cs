using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Approvals;

/// <summary>The webhook events of approvals, written to the status-change event table in the transaction of the change.</summary>
internal static class ApprovalEvents
{
    public const string AwaitingApproval = "deployment.awaitingApproval";
    public const string Approved = "deployment.approved";
    public const string Rejected = "deployment.rejected";

    /// <summary>
    /// One event of <paramref name="type"/> per request, carrying its job counts and status now, the status
    /// it had before (<paramref name="before"/>) and its approval (who asked, who decided what and why).
    /// </summary>
    public static async Task WriteAsync(NpgsqlConnection connection, string type, IReadOnlyCollection<long> requestIds, PushStatus before, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO push_request_events (request_id, old_status, new_status, created_at, job_count, succeeded_count, failed_count, canceled_count, event_type, detail)
            SELECT r.id, $3, r.status, $4, r.job_count, r.succeeded_count, r.failed_count, r.canceled_count, $2,
                   jsonb_build_object('approval', jsonb_build_object('requestedBy', ru.username, 'requestedAt', a.requested_at, 'decision', a.decision,
                                                      'decidedBy', du.username, 'decidedAt', a.decided_at, 'comment', a.comment))
            FROM push_requests r
            JOIN push_request_approvals a ON a.request_id = r.id
            JOIN users ru ON ru.id = a.requested_by
            LEFT JOIN users du ON du.id = a.decided_by
            WHERE r.id = ANY($1)
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(new NpgsqlParameter { Value = type });
        command.Parameters.Add(new NpgsqlParameter { Value = before.WireName() });
        command.Parameters.Add(SqlParameters.Value(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
