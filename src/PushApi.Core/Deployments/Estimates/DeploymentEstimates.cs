using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Deployments.Estimates;

/// <summary>
/// Run-time estimates of deployments: a running push from its own completion rate, a push not started
/// (and a dry run) from recent finished pushes of the same upgrader kind and size class, a finished
/// one from its end time.
/// </summary>
public sealed class DeploymentEstimates(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>How many recent finished pushes of a kind and size class make the history.</summary>
    public const int HistoryPushes = 10;

    /// <summary>The estimate of a push request as it stands now.</summary>
    public async Task<RunTimeEstimate> ForRequestAsync(PushRequestProgress request, CancellationToken cancellationToken = default)
    {
        var status = PushStatuses.Parse(request.Status);
        var jobs = request.Jobs;
        if (status.IsTerminal())
        {
            return EstimateMath.Finished(request.StartTime, request.EndTime, jobs.Succeeded + jobs.Failed + jobs.Canceled);
        }

        var now = clock.Now();
        if (status == PushStatus.InProgress && request.StartTime is { } started
            && EstimateMath.Live(started, now, jobs.Succeeded + jobs.Failed + jobs.Canceled, jobs.Remaining) is { } live)
        {
            return live;
        }

        SalesforceId.TryParseNumber(request.Id, KeyPrefixes.PackagePushRequest, out var number);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var kind = await RequestKindAsync(connection, number, cancellationToken);
        var history = await HistoryAsync(connection, kind, jobs.Total, cancellationToken);
        var begin = request.StartTime ?? request.ScheduledStartTime ?? now;
        return EstimateMath.FromHistory(history, begin, now, jobs.Remaining);
    }

    /// <summary>The estimate of a deployment that would push to <paramref name="orgKeys"/>, starting at <paramref name="scheduledStart"/> or now.</summary>
    public async Task<RunTimeEstimate> ForDryRunAsync(NpgsqlConnection connection, IReadOnlyList<string> orgKeys, DateTimeOffset? scheduledStart, CancellationToken cancellationToken = default)
    {
        if (orgKeys.Count == 0)
        {
            return RunTimeEstimate.None;
        }

        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM tenants WHERE org_key = ANY($1) AND agent_url IS NOT NULL)", connection);
        command.Parameters.Add(SqlParameters.Array(orgKeys, NpgsqlDbType.Text));
        var remote = (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        return await ForDryRunAsync(connection, orgKeys.Count, remote, scheduledStart, cancellationToken);
    }

    /// <summary>The same for <paramref name="orgs"/> orgs counted in the database, <paramref name="remote"/> when any of them is pushed through a remote agent.</summary>
    public async Task<RunTimeEstimate> ForDryRunAsync(NpgsqlConnection connection, int orgs, bool remote, DateTimeOffset? scheduledStart, CancellationToken cancellationToken = default)
    {
        if (orgs == 0)
        {
            return RunTimeEstimate.None;
        }

        var history = await HistoryAsync(connection, remote ? UpgraderKind.Remote : UpgraderKind.InPlatform, orgs, cancellationToken);
        var now = clock.Now();
        return EstimateMath.FromHistory(history, scheduledStart ?? now, now, orgs);
    }

    /// <summary>A push with any job through a remote agent runs at the agents' pace (the index of remote jobs makes this cheap).</summary>
    private static async Task<UpgraderKind> RequestKindAsync(NpgsqlConnection connection, long requestId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM push_jobs WHERE request_id = $1 AND remote)", connection);
        command.Parameters.Add(SqlParameters.Value(requestId));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))! ? UpgraderKind.Remote : UpgraderKind.InPlatform;
    }

    /// <summary>The most recent pushes that ran to their end (not canceled) of this kind and size class, summed; null when there are none.</summary>
    private static async Task<PushHistory?> HistoryAsync(NpgsqlConnection connection, UpgraderKind kind, long jobs, CancellationToken cancellationToken)
    {
        var (low, high) = EstimateMath.SizeClassBounds(jobs);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT count(*), coalesce(sum(h.job_count), 0), coalesce(sum(extract(epoch FROM h.end_time - h.start_time)), 0)::float8
            FROM (SELECT r.job_count, r.start_time, r.end_time
                  FROM push_requests r
                  WHERE {PushStatusSql.In("r.status", [PushStatus.Succeeded, PushStatus.Failed])}
                    AND r.end_time > r.start_time AND r.job_count >= $1 AND r.job_count < $2
                    AND EXISTS (SELECT 1 FROM push_jobs j WHERE j.request_id = r.id AND j.remote) = $3
                  ORDER BY r.id DESC LIMIT {HistoryPushes.ToString(CultureInfo.InvariantCulture)}) h
            """, connection);
        command.Parameters.Add(SqlParameters.Value(Math.Max(1, low)));
        command.Parameters.Add(SqlParameters.Value(high));
        command.Parameters.Add(SqlParameters.Value(kind == UpgraderKind.Remote));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var pushes = (int)reader.GetInt64(0);
        return pushes == 0 ? null : new PushHistory(kind, EstimateMath.SizeClass(jobs), pushes, Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture), reader.GetDouble(2));
    }
}
