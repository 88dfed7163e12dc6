using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Persistence;

namespace PushApi.Core.Tenants;

/// <summary>An error a push job recorded (PackagePushError).</summary>
public sealed record TenantJobError(string ErrorType, string ErrorTitle, string ErrorMessage, string ErrorSeverity);

/// <summary>
/// One push job of a tenant (PackagePushJob) with what it pushed and its errors; <see cref="DeploymentId"/> is the
/// deployment that holds it (a wave's job belongs to its rollout, the deployment the console shows).
/// </summary>
public sealed record TenantJob(
    string Id, string DeploymentId, string PushRequestId, string PackageId, string PackageName, string PackageVersionId, string VersionNumber, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? StartTime, DateTimeOffset? EndTime, IReadOnlyList<TenantJobError> Errors);

/// <summary>
/// A tenant's push jobs across every deployment and push request, newest first, in keyset pages (<c>GET
/// /api/v1/tenants/{orgKey}/jobs</c>). One statement a page: the errors are aggregated per job of the page.
/// </summary>
public sealed class TenantJobs(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<(IReadOnlyList<TenantJob> Jobs, string? NextAfter)> PageAsync(string orgKey, string? after, int limit, CancellationToken cancellationToken = default)
    {
        var key = OrgKey.TryParse(orgKey, out var parsed) ? parsed.Value : throw new NotFoundException($"No tenant has the org key {orgKey}.");
        var before = long.MaxValue;
        if (after is not null && !SalesforceId.TryParseNumber(after, KeyPrefixes.PackagePushJob, out before))
        {
            throw new InputException("after", $"'{after}' is not a job id (0DX…, the nextAfter of a previous page).");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT 1 FROM tenants WHERE org_key = $1), j.id, coalesce(w.rollout_id, j.request_id), j.request_id, v.package_id, p.name,
                   v.id, v.major_version, v.minor_version, v.patch_version, v.build_number, j.status, j.created_at, j.start_time, j.end_time,
                   (SELECT json_agg(json_build_object('errorType', e.error_type, 'errorTitle', e.error_title, 'errorMessage', e.error_message,
                                                      'errorSeverity', e.error_severity) ORDER BY e.id)
                    FROM push_errors e WHERE e.job_id = j.id)::text
            FROM (SELECT 1) one
            LEFT JOIN push_jobs j ON j.org_key = $1 AND j.id < $2
            LEFT JOIN push_requests r ON r.id = j.request_id
            LEFT JOIN package_versions v ON v.id = r.package_version_id
            LEFT JOIN packages p ON p.id = v.package_id
            LEFT JOIN rollout_waves w ON w.request_id = j.request_id
            ORDER BY j.id DESC
            LIMIT $3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(SqlParameters.Value(before));
        command.Parameters.Add(SqlParameters.Value(limit + 1));
        var jobs = new List<TenantJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.GetBoolean(0))
            {
                throw new NotFoundException($"No tenant has the org key {orgKey}.");
            }

            if (!reader.IsDBNull(1))
            {
                jobs.Add(Read(reader));
            }
        }

        var more = jobs.Count > limit;
        return (more ? jobs[..limit] : jobs, more ? jobs[limit - 1].Id : null);
    }

    private static TenantJob Read(NpgsqlDataReader reader)
    {
        var errors = reader.IsDBNull(15) ? [] : JsonSerializer.Deserialize<List<TenantJobError>>(reader.GetString(15), Json)!;
        return new TenantJob(
            SalesforceId.Format(KeyPrefixes.PackagePushJob, reader.GetInt64(1)),
            SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(2)),
            SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(3)),
            SalesforceId.Format(KeyPrefixes.MetadataPackage, reader.GetInt64(4)),
            reader.GetString(5),
            SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(6)),
            new VersionNumber(reader.GetInt32(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10)).ToString(),
            reader.GetString(11),
            reader.GetFieldValue<DateTimeOffset>(12),
            reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13),
            reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14),
            errors);
    }
}
