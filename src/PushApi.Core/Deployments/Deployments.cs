using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;
using PushApi.Core.Soql;

namespace PushApi.Core.Deployments;

/// <summary>Whom a deployment targets: exactly one of every tenant of the package, a list of org keys, or a SOQL condition on PackageSubscriber.</summary>
public sealed record DeploymentTargets(bool All, IReadOnlyList<string>? OrgKeys, string? Where);

public sealed record DeploymentInput(string PackageVersionId, DeploymentTargets Targets, DateTimeOffset? ScheduledStartTime, bool NotifyTenants, bool DryRun);

/// <summary>An org a deployment leaves out, and why (a reason code of <see cref="IneligibleReason"/>).</summary>
public sealed record LeftOutOrg(string OrgKey, string Reason, string Message);

/// <summary>Who a deployment reaches and who it leaves out.</summary>
public sealed record EligibilityReport(int Targeted, int Eligible, IReadOnlyDictionary<string, int> LeftOutByReason, IReadOnlyList<LeftOutOrg> LeftOut);

/// <summary>The outcome of a deployment call: the request it created (none for a dry run or when no org is eligible) and the report.</summary>
public sealed record DeploymentResult(string? Id, bool Created, bool DryRun, string? RetryOf, EligibilityReport Report);

/// <summary>A failed job with its first error.</summary>
public sealed record DeploymentFailure(string JobId, string OrgKey, string? OrgName, string? OrgType, string Status, string? ErrorType, string? ErrorTitle, string? ErrorMessage, string? ErrorDetails);

/// <summary>Failed jobs counted by error type and title.</summary>
public sealed record FailureGroup(string? ErrorType, string? ErrorTitle, int Count);

/// <summary>
/// Mass deployment (native API): resolve the targets, check every org's eligibility set-based, and
/// create the push request, its jobs and its schedule in one transaction, so a deployment is either
/// wholly scheduled or not there at all. A deployment is its push request (same 0DV id).
/// </summary>
public sealed class Deployments(NpgsqlDataSource dataSource, DmlService dml, SoqlEngine soql)
{
    /// <summary>Jobs written per DML call inside the deployment's transaction.</summary>
    private const int JobChunk = 10_000;

    /// <summary>Joins a job (<c>j</c>) to its first error (<c>e</c>), if any: the error a report shows for the job.</summary>
    private const string FirstError = "LEFT JOIN LATERAL (SELECT * FROM push_errors e WHERE e.job_id = j.id ORDER BY e.id LIMIT 1) e ON true";

    public async Task<DeploymentResult> CreateAsync(DeploymentInput input, long userId, CancellationToken cancellationToken = default) =>
        await CreateAsync(input, userId, retryOf: null, cancellationToken);

    /// <summary>
    /// Deploys the same version again to the orgs whose jobs failed, those of the given error types
    /// only (all when none) and not those whose error title or type is excluded; the new request names
    /// the original as the one it retries. Orgs no longer eligible are reported, not retried.
    /// </summary>
    public async Task<DeploymentResult> RetryAsync(string id, IReadOnlyCollection<string>? errorTypes, IReadOnlyCollection<string>? excludeTitles, bool dryRun, long userId, CancellationToken cancellationToken = default)
    {
        var number = Number(id);
        string status;
        long versionId;
        bool notify;
        await using (var command = dataSource.CreateCommand("SELECT status, package_version_id, notify_tenants FROM push_requests WHERE id = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = number });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw NotFound(id);
            }

            (status, versionId, notify) = (reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2));
        }

        if (status is not ("Succeeded" or "Failed" or "Canceled"))
        {
            throw new ConflictException($"Deployment {id} is {status}; its failures can be retried once it has finished.");
        }

        var orgs = new List<string>();
        await using (var command = dataSource.CreateCommand(
            $"""
            SELECT j.org_key FROM push_jobs j
            {FirstError}
            WHERE j.request_id = $1 AND {PushStatusSql.Is("j.status", PushStatus.Failed)}
              AND (cardinality($2::text[]) = 0 OR e.error_type = ANY($2))
              AND NOT (coalesce(e.error_title, '') = ANY($3) OR coalesce(e.error_type, '') = ANY($3))
            ORDER BY j.id
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = number });
            command.Parameters.Add(new NpgsqlParameter { Value = (errorTypes ?? []).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (excludeTitles ?? []).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                orgs.Add(reader.GetString(0));
            }
        }

        if (orgs.Count == 0)
        {
            throw new ConflictException($"Deployment {id} has no failed jobs that match; nothing to retry.");
        }

        var input = new DeploymentInput(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), new DeploymentTargets(false, orgs, null), null, notify, dryRun);
        return await CreateAsync(input, userId, number, cancellationToken);
    }

    /// <summary>Failed jobs after job <paramref name="after"/> (keyset), with their first error, and the counts by error type and title.</summary>
    public async Task<(IReadOnlyList<FailureGroup> Groups, IReadOnlyList<DeploymentFailure> Failures, string? Next)> FailuresAsync(string id, string? after, int limit, CancellationToken cancellationToken = default)
    {
        var number = await ExistingAsync(id, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var groups = await FailureGroupsAsync(connection, number, limit: null, cancellationToken);

        var afterNumber = 0L;
        if (after is not null && !SalesforceId.TryParseNumber(after, KeyPrefixes.PackagePushJob, out afterNumber))
        {
            throw new InputException("after", $"'{after}' is not a job id (0DX…).");
        }

        var failures = new List<DeploymentFailure>();
        await foreach (var failure in ReadFailuresAsync(connection, number, afterNumber, limit + 1, cancellationToken))
        {
            failures.Add(failure);
        }

        var more = failures.Count > limit;
        return (groups, more ? failures[..limit] : failures, more ? failures[limit - 1].JobId : null);
    }

    /// <summary>Every failed job of a deployment as CSV: org key, org name, org type, status, error type, title, message, details.</summary>
    public async Task WriteFailuresCsvAsync(string id, Stream output, CancellationToken cancellationToken = default)
    {
        var number = await ExistingAsync(id, cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteAsync("OrgKey,OrgName,OrgType,Status,ErrorType,ErrorTitle,ErrorMessage,ErrorDetails\n");
        var line = new StringBuilder();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await foreach (var f in ReadFailuresAsync(connection, number, 0, int.MaxValue, cancellationToken))
        {
            line.Clear();
            foreach (var value in new[] { f.OrgKey, f.OrgName, f.OrgType, f.Status, f.ErrorType, f.ErrorTitle, f.ErrorMessage, f.ErrorDetails })
            {
                if (line.Length > 0)
                {
                    line.Append(',');
                }

                Bulk.BulkCsv.AppendQuoted(line, value ?? "");
            }

            await writer.WriteAsync(line.Append('\n'), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>A request's failed jobs counted by the type and title of their first error, most frequent first.</summary>
    public static async Task<List<FailureGroup>> FailureGroupsAsync(NpgsqlConnection connection, long request, int? limit, CancellationToken cancellationToken = default)
    {
        var groups = new List<FailureGroup>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT e.error_type, e.error_title, count(*)::int FROM push_jobs j
            {FirstError}
            WHERE j.request_id = $1 AND {PushStatusSql.Is("j.status", PushStatus.Failed)}
            GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT $2
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = request });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)limit ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new FailureGroup(reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2)));
        }

        return groups;
    }

    private static async IAsyncEnumerable<DeploymentFailure> ReadFailuresAsync(NpgsqlConnection connection, long request, long after, int limit, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT j.id, j.org_key, t.org_name, t.org_type, j.status, e.error_type, e.error_title, e.error_message, e.error_details
            FROM push_jobs j
            LEFT JOIN tenants t ON t.org_key = j.org_key
            {FirstError}
            WHERE j.request_id = $1 AND {PushStatusSql.Is("j.status", PushStatus.Failed)} AND j.id > $2
            ORDER BY j.id LIMIT $3
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = request });
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            yield return new DeploymentFailure(SalesforceId.Format(KeyPrefixes.PackagePushJob, reader.GetInt64(0)), reader.GetString(1), Text(2), Text(3), reader.GetString(4), Text(5), Text(6), Text(7), Text(8));
        }
    }

    private async Task<DeploymentResult> CreateAsync(DeploymentInput input, long userId, long? retryOf, CancellationToken cancellationToken)
    {
        if (!SalesforceId.TryParseNumber(input.PackageVersionId, KeyPrefixes.MetadataPackageVersion, out var versionId))
        {
            throw new InputException("packageVersionId", $"'{input.PackageVersionId}' is not a package version id (04t…).");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = await DmlService.LoadTargetAsync(connection, versionId, cancellationToken)
            ?? throw new InputException("packageVersionId", $"No package version has the id {input.PackageVersionId}.");
        if (ClientChangeRules.CheckTargetVersion(input.PackageVersionId, target) is { } versionError)
        {
            throw new InputException("packageVersionId", versionError.Message);
        }

        var (keys, leftOut) = await ResolveAsync(connection, input.Targets, target, cancellationToken);
        var targeted = keys.Count + leftOut.Count;
        var checks = await DmlService.CheckOrgsAsync(connection, target, keys, cancellationToken);
        var eligible = new List<string>(keys.Count);
        foreach (var key in keys)
        {
            if (checks[key] is { } check)
            {
                leftOut.Add(new LeftOutOrg(key, check.Reason.ToString(), check.Message));
            }
            else
            {
                eligible.Add(key);
            }
        }

        var report = new EligibilityReport(
            targeted,
            eligible.Count,
            leftOut.GroupBy(l => l.Reason).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            leftOut);
        var retried = retryOf is { } r ? SalesforceId.Format(KeyPrefixes.PackagePushRequest, r) : null;
        if (input.DryRun || eligible.Count == 0)
        {
            return new DeploymentResult(null, false, input.DryRun, retried, report);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var requestFields = new Dictionary<string, object?> { ["PackageVersionId"] = input.PackageVersionId };
        if (input.ScheduledStartTime is { } start)
        {
            requestFields["ScheduledStartTime"] = start.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        var request = (await dml.CreateInTransactionAsync(connection, SObjectCatalog.PackagePushRequest, [requestFields], allOrNone: true, userId, cancellationToken))[0];
        if (!request.Success)
        {
            throw new InputException((request.Errors[0].Fields.Count > 0 ? request.Errors[0].Fields[0] : ""), request.Errors[0].Message);
        }

        await using (var extra = new NpgsqlCommand("UPDATE push_requests SET notify_tenants = $2, retry_of = $3 WHERE id = $1", connection))
        {
            extra.Parameters.Add(new NpgsqlParameter { Value = Number(request.Id!) });
            extra.Parameters.Add(new NpgsqlParameter { Value = input.NotifyTenants });
            extra.Parameters.Add(new NpgsqlParameter { Value = (object?)retryOf ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            await extra.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var chunk in eligible.Chunk(JobChunk))
        {
            var records = chunk.Select(k => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["PackagePushRequestId"] = request.Id, ["SubscriberOrganizationKey"] = k }).ToList();
            var results = await dml.CreateInTransactionAsync(connection, SObjectCatalog.PackagePushJob, records, allOrNone: true, userId, cancellationToken);
            if (results.FirstOrDefault(x => !x.Success && x.Errors[0].StatusCode != ErrorCodes.AllOrNoneOperationRolledBack) is { } refused)
            {
                // An org changed between the check and the insert: nothing of the deployment stays.
                throw new ConflictException($"A tenant changed while the deployment was being created ({refused.Errors[0].Message}); nothing was created. Try again.");
            }
        }

        var (scheduled, afterCommit) = await dml.ScheduleInTransactionAsync(connection, request.Id!, cancellationToken);
        if (!scheduled.Success)
        {
            throw new InputException("scheduledStartTime", scheduled.Errors[0].Message);
        }

        await transaction.CommitAsync(cancellationToken);
        await afterCommit(cancellationToken);
        return new DeploymentResult(request.Id, true, false, retried, report);
    }

    /// <summary>The org keys a deployment targets (15-character form, once each) and those left out before any check (malformed, repeated).</summary>
    private async Task<(List<string> Keys, List<LeftOutOrg> LeftOut)> ResolveAsync(NpgsqlConnection connection, DeploymentTargets targets, TargetVersion target, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        var leftOut = new List<LeftOutOrg>();
        if (targets.All)
        {
            await using var command = new NpgsqlCommand("SELECT org_key FROM installations WHERE package_id = $1 ORDER BY org_key", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = target.PackageId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(reader.GetString(0));
            }
        }
        else if (targets.OrgKeys is { } orgKeys)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var sent in orgKeys)
            {
                var text = sent?.Trim() ?? "";
                if (!OrgKey.TryParse(text, out var key))
                {
                    leftOut.Add(new LeftOutOrg(text, nameof(IneligibleReason.UnknownOrg), $"'{text}' is not an org key (00D followed by 12 or 15 letters and digits)."));
                }
                else if (!seen.Add(key.Value))
                {
                    leftOut.Add(new LeftOutOrg(key.Value, nameof(IneligibleReason.Duplicate), $"The org {key.Value} is listed more than once; it is deployed to once."));
                }
                else
                {
                    keys.Add(key.Value);
                }
            }
        }
        else if (!string.IsNullOrWhiteSpace(targets.Where))
        {
            var statement = $"SELECT OrgKey FROM PackageSubscriber WHERE MetadataPackageId = '{SalesforceId.Format(KeyPrefixes.MetadataPackage, target.PackageId)}' AND ({targets.Where})";
            try
            {
                await soql.ReadAllAsync(statement, SObjectCatalog.PackageSubscriber.Name, (_, record) =>
                {
                    keys.Add((string)record["OrgKey"]!);
                    return ValueTask.CompletedTask;
                }, cancellationToken);
            }
            catch (SoqlException e)
            {
                throw new InputException("targets.where", $"The condition is not valid SOQL on PackageSubscriber: {e.Message}");
            }
        }

        return (keys, leftOut);
    }

    private async Task<long> ExistingAsync(string id, CancellationToken cancellationToken)
    {
        var number = Number(id);
        await using var command = dataSource.CreateCommand("SELECT 1 FROM push_requests WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        return await command.ExecuteScalarAsync(cancellationToken) is null ? throw NotFound(id) : number;
    }

    private static long Number(string id) =>
        SalesforceId.TryParseNumber(id, KeyPrefixes.PackagePushRequest, out var number) ? number : throw NotFound(id);

    private static NotFoundException NotFound(string id) => new($"No deployment has the id {id}.");
}
