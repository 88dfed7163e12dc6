using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Retention;

namespace PushApi.Core.Deployments;

/// <summary>A PackagePushError of a job, with its details (the items of an install-plan error, one per line).</summary>
public sealed record JobError(string Id, string ErrorType, string ErrorTitle, string ErrorSeverity, string ErrorMessage, string? ErrorDetails, DateTimeOffset CreatedAt);

/// <summary>
/// One job of a deployment, per tenant: the job, the push request (wave) it is in with that request's install settings
/// (what an install plan of the tenant is computed with), and every error it has. The plan a job applied is not
/// recorded; the settings let a reader ask for the tenant's plan as it would be now.
/// </summary>
public sealed record DeploymentJobDetail(
    DeploymentJob Job, string RequestId, string PackageVersionId, string InstallMode, string RolesMode, IReadOnlyList<string>? GrantRoles, int? DurationSeconds, IReadOnlyList<JobError> Errors);

/// <summary>A deployment's job with its errors (<c>GET /api/v1/deployments/{id}/jobs/{jobId}</c>); a job of another deployment is not found.</summary>
public sealed class DeploymentJobDetails(NpgsqlDataSource dataSource)
{
    public async Task<DeploymentJobDetail> GetAsync(string id, string jobId, CancellationToken cancellationToken = default)
    {
        var deployment = DeploymentIds.Parse(id);
        if (!SalesforceId.TryParseNumber(jobId, KeyPrefixes.PackagePushJob, out var job))
        {
            throw NotFound(id, jobId);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var requests = await Waves.RolloutStore.RequestsAsync(connection, deployment, cancellationToken);
        var detail = await JobAsync(connection, requests, job, cancellationToken) ?? throw NotFound(id, jobId);
        return detail with { Errors = await ErrorsAsync(connection, job, cancellationToken) };
    }

    private static NotFoundException NotFound(string id, string jobId) => new($"Deployment {id} has no job {jobId}.");

    private static async Task<DeploymentJobDetail?> JobAsync(NpgsqlConnection connection, long[] requests, long job, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT j.id, j.org_key, t.org_name, j.status, j.start_time, j.end_time, j.window_opens_at,
                   j.request_id, r.package_version_id, r.install_mode, r.roles_mode, r.grant_roles, j.duration_seconds
            FROM {KeptJobs.Sql} j
            JOIN push_requests r ON r.id = j.request_id
            LEFT JOIN tenants t ON t.org_key = j.org_key
            WHERE j.id = $1 AND j.request_id = ANY($2)
            """, connection);
        command.Parameters.Add(SqlParameters.Value(job));
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        DateTimeOffset? At(int column) => reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);
        var found = new DeploymentJob(
            SalesforceId.Format(KeyPrefixes.PackagePushJob, reader.GetInt64(0)), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3),
            At(4), At(5), reader.IsDBNull(6) ? null : "window", At(6));
        return new DeploymentJobDetail(
            found,
            SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(7)),
            SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(8)),
            reader.GetString(9),
            reader.GetString(10),
            reader.IsDBNull(11) ? null : reader.GetFieldValue<string[]>(11),
            reader.IsDBNull(12) ? null : reader.GetInt32(12),
            []);
    }

    private static async Task<List<JobError>> ErrorsAsync(NpgsqlConnection connection, long job, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, error_type, error_title, error_severity, error_message, error_details, created_at FROM push_errors WHERE job_id = $1 ORDER BY id", connection);
        command.Parameters.Add(SqlParameters.Value(job));
        var errors = new List<JobError>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            errors.Add(new JobError(
                SalesforceId.Format(KeyPrefixes.PackagePushError, reader.GetInt64(0)), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return errors;
    }
}
