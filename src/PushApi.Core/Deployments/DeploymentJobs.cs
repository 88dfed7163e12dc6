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
        await using var command = new NpgsqlCommand(
            $"""
            SELECT j.id, j.org_key, t.org_name, j.status, j.start_time, j.end_time, j.window_opens_at
            FROM {KeptJobs.Sql} j LEFT JOIN tenants t ON t.org_key = j.org_key
            WHERE j.request_id = ANY($1) AND j.id > $2 AND ($3::text IS NULL OR j.status = $3)
            ORDER BY j.id LIMIT $4
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(afterNumber));
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)wanted ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
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
