using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;
using PushApi.Core.Retention;

namespace PushApi.Core.Deployments;

/// <summary>A deployment's jobs (of every wave) with their tenants, optionally of one status, in keyset pages.</summary>
public sealed class DeploymentJobs(NpgsqlDataSource dataSource)
{
    private static readonly string[] AllStatuses = [.. Enum.GetValues<PushStatus>().Select(s => s.WireName())];

    public async Task<(IReadOnlyList<DeploymentJob> Jobs, string? Next)> PageAsync(string id, string? status, string? after, int limit, CancellationToken cancellationToken = default)
    {
        var request = DeploymentIds.Parse(id);
        // The status as stored, whatever the case it was sent in.
        var wanted = status is null ? null
            : PushStatuses.TryParse(status, out var parsed) ? parsed.WireName()
            : throw new InputException("status", $"'{status}' is not a job status (Created, Pending, In Progress, Succeeded, Failed, Canceled).");

        var afterNumber = 0L;
        if (after is not null && !SalesforceId.TryParseNumber(after, KeyPrefixes.PackagePushJob, out afterNumber))
        {
            throw new InputException("after", $"'{after}' is not a job id (0DX…).");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var requests = await Waves.RolloutStore.RequestsAsync(connection, request, cancellationToken);
        // One range scan of push_jobs_request_status_id per (request, status), merged: the page never reads the jobs of
        // other requests or of other statuses (migration 0024). Without a status every status is asked for.
        await using var command = new NpgsqlCommand(
            $"""
            SELECT j.id, j.org_key, t.org_name, j.status, j.start_time, j.end_time, j.window_opens_at
            FROM unnest($1::bigint[]) r(id) CROSS JOIN unnest($3::text[]) s(status)
            CROSS JOIN LATERAL (
                SELECT k.id, k.org_key, k.status, k.start_time, k.end_time, k.window_opens_at FROM {KeptJobs.Sql} k
                WHERE k.request_id = r.id AND k.status = s.status AND k.id > $2 ORDER BY k.id LIMIT $4) j
            LEFT JOIN tenants t ON t.org_key = j.org_key
            ORDER BY j.id LIMIT $4
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(afterNumber));
        command.Parameters.Add(SqlParameters.Array(wanted is null ? AllStatuses : new[] { wanted }, NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Value(limit + 1));
        var jobs = new List<DeploymentJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new DeploymentJob(
                SalesforceId.Format(KeyPrefixes.PackagePushJob, reader.GetInt64(0)), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : "window", reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        var more = jobs.Count > limit;
        return (more ? jobs[..limit] : jobs, more ? jobs[limit - 1].Id : null);
    }
}
