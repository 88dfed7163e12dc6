using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Dml;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Governance.Approvals;

/// <summary>
/// What became of requests a user asked to schedule: those scheduled (with their start, for the scheduler
/// once committed) and those held for approval (still Created).
/// </summary>
public sealed record ScheduleOutcome(List<StartChange> Starts, IReadOnlyList<long> Held)
{
    /// <summary>How many of the requests were scheduled or held: those that were Created.</summary>
    public int Count => Starts.Count + Held.Count;
}

/// <summary>
/// The one place a user's schedule passes through (deployments, retries, Status Pending through the
/// Salesforce API): with approval off it schedules as before; with approval required it holds the
/// requests, Created, until another user approves them (<see cref="ApproveDeployment"/>), and writes a
/// <c>deployment.awaitingApproval</c> event. Runs in the caller's transaction.
/// </summary>
public sealed class ApprovalGate(ApprovalSetting setting, SchedulePushRequests schedule, TimeProvider clock)
{
    /// <summary>
    /// Schedules the Created requests among <paramref name="requestIds"/> as of <paramref name="now"/>, or holds
    /// them for approval on behalf of <paramref name="userId"/>. A request already held stays held, as asked the first time (one event).
    /// </summary>
    public async Task<ScheduleOutcome> HoldOrScheduleAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, long userId, CancellationToken cancellationToken, DateTimeOffset? now = null)
    {
        if (requestIds.Count == 0)
        {
            return new ScheduleOutcome([], []);
        }

        var at = now ?? clock.Now();
        if (!(await setting.GetAsync(connection, cancellationToken)).Required)
        {
            return new ScheduleOutcome(await schedule.RunAsync(connection, requestIds, cancellationToken, at), []);
        }

        var (held, added) = await HoldAsync(connection, requestIds, userId, at, cancellationToken);
        if (added.Count > 0)
        {
            await ApprovalEvents.WriteAsync(connection, ApprovalEvents.AwaitingApproval, added, PushStatus.Created, at, cancellationToken);
        }

        return new ScheduleOutcome([], held);
    }

    /// <summary>The Created requests now held (those held before included) and those held by this call.</summary>
    private static async Task<(List<long> Held, List<long> Added)> HoldAsync(NpgsqlConnection connection, IReadOnlyCollection<long> requestIds, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The statement's parts see the table as it was before it: held before = a row without a decision; added = inserted now.
        await using var command = new NpgsqlCommand(
            $"""
            WITH added AS (
                INSERT INTO push_request_approvals (request_id, requested_by, requested_at)
                SELECT r.id, $2, $3 FROM push_requests r WHERE r.id = ANY($1) AND {PushStatusSql.Is("r.status", PushStatus.Created)}
                ON CONFLICT (request_id) DO NOTHING
                RETURNING request_id
            )
            SELECT request_id, true FROM added
            UNION ALL
            SELECT a.request_id, false FROM push_request_approvals a JOIN push_requests r ON r.id = a.request_id
            WHERE a.request_id = ANY($1) AND a.decision IS NULL AND {PushStatusSql.Is("r.status", PushStatus.Created)}
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(userId));
        command.Parameters.Add(SqlParameters.Value(now));
        var (held, added) = (new List<long>(), new List<long>());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            held.Add(reader.GetInt64(0));
            if (reader.GetBoolean(1))
            {
                added.Add(reader.GetInt64(0));
            }
        }

        return (held, added);
    }
}
