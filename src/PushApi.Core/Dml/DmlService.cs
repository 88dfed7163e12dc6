using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Push;
using PushApi.Core.Push.Engine;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>The outcome of writing one record, in the order the records were sent.</summary>
public sealed record SaveResult(string? Id, bool Success, IReadOnlyList<SaveError> Errors)
{
    public static SaveResult Saved(string id) => new(id, true, []);

    public static SaveResult Failed(IReadOnlyList<SaveError> errors, string? id = null) => new(id, false, errors);
}

/// <summary>
/// The one write path of every front end (REST, composite, Bulk, SOAP): creates and updates push
/// requests and jobs in batches. Each record is checked against the catalog and the push rules; what
/// the rules need from the database is read for the whole batch at once, and the writes are set-based
/// (a batch of jobs is one INSERT, whether 1 or 100,000). With <c>allOrNone</c> one failure writes nothing.
/// </summary>
public sealed class DmlService(NpgsqlDataSource dataSource, TimeProvider clock, IPushScheduler scheduler, ILogger<DmlService> logger)
{
    private static readonly SaveError RolledBack = new(
        ErrorCodes.AllOrNoneOperationRolledBack,
        "Record rolled back because not all records were valid and the request was using AllOrNone header");

    /// <summary>Creates records of <paramref name="type"/> from name/value maps (names in any case; <c>attributes</c> is ignored).</summary>
    public async Task<IReadOnlyList<SaveResult>> CreateAsync(SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, long userId, CancellationToken cancellationToken = default)
    {
        var drafts = records.Select(r => Draft.Prepare(type, WriteOperation.Create, r)).ToList();
        if (drafts.All(d => d.Errors.Count > 0 && d.Errors[0].StatusCode == ErrorCodes.InvalidTypeForOperation) || drafts.Count == 0)
        {
            return Results(type, drafts, allOrNone);
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await WriteCreatesAsync(connection, type, drafts, allOrNone, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Results(type, drafts, allOrNone);
    }

    /// <summary>
    /// Creates records inside the caller's open transaction on <paramref name="connection"/>, so the
    /// caller can record the results atomically with the records (Bulk API ingest).
    /// </summary>
    public async Task<IReadOnlyList<SaveResult>> CreateInTransactionAsync(NpgsqlConnection connection, SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, long userId, CancellationToken cancellationToken = default)
    {
        var drafts = records.Select(r => Draft.Prepare(type, WriteOperation.Create, r)).ToList();
        if (drafts.Any(d => d.Errors.Count == 0))
        {
            await WriteCreatesAsync(connection, type, drafts, allOrNone, userId, cancellationToken);
        }

        return Results(type, drafts, allOrNone);
    }

    /// <summary>
    /// Schedules (Status Pending) a push request inside the caller's transaction; the returned action
    /// tells the scheduler once the caller has committed.
    /// </summary>
    public async Task<(SaveResult Result, Func<CancellationToken, Task> AfterCommit)> ScheduleInTransactionAsync(NpgsqlConnection connection, string requestId, CancellationToken cancellationToken = default)
    {
        var drafts = new List<Draft> { Draft.Prepare(SObjectCatalog.PackagePushRequest, WriteOperation.Update, new Dictionary<string, object?> { ["Id"] = requestId, ["Status"] = "Pending" }) };
        var starts = drafts[0].Errors.Count == 0 ? await UpdateRequestsAsync(connection, drafts, allOrNone: true, cancellationToken) : [];
        return (Results(SObjectCatalog.PackagePushRequest, drafts, allOrNone: true)[0], token => TellSchedulerAsync(starts, token));
    }

    /// <summary>The version a push would target, or null when no version has the id.</summary>
    public static async Task<TargetVersion?> LoadTargetAsync(NpgsqlConnection connection, long versionId, CancellationToken cancellationToken = default) =>
        (await LoadVersionsAsync(connection, [versionId], cancellationToken)).GetValueOrDefault(versionId);

    /// <summary>
    /// Why each org could not be pushed <paramref name="target"/> (null: it can), read set-based with
    /// the same facts and rules as adding jobs.
    /// </summary>
    public static async Task<Dictionary<string, (IneligibleReason Reason, string Message)?>> CheckOrgsAsync(NpgsqlConnection connection, TargetVersion target, IReadOnlyCollection<string> orgKeys, CancellationToken cancellationToken = default)
    {
        var orgs = await EligibilityFacts.LoadOrgsAsync(connection, [.. orgKeys.Select(k => (k, target.PackageId))], lockInstallations: false, cancellationToken);
        var checks = new Dictionary<string, (IneligibleReason, string)?>(orgKeys.Count, StringComparer.Ordinal);
        foreach (var key in orgKeys)
        {
            var org = orgs.GetValueOrDefault((key, target.PackageId));
            checks[key] = Eligibility.Check(PushStatus.Created, target, org, alreadyInRequest: false) is { } reason
                ? (reason, Eligibility.ToSaveError(reason, key, target, org?.Installation).Message)
                : null;
        }

        return checks;
    }

    private async Task WriteCreatesAsync(NpgsqlConnection connection, SObjectDescriptor type, List<Draft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        if (type == SObjectCatalog.PackagePushRequest)
        {
            await CreateRequestsAsync(connection, drafts, allOrNone, userId, cancellationToken);
        }
        else if (type == SObjectCatalog.PackagePushJob)
        {
            await CreateJobsAsync(connection, drafts, allOrNone, cancellationToken);
        }
    }

    /// <summary>Updates records named by their <c>Id</c> field.</summary>
    public async Task<IReadOnlyList<SaveResult>> UpdateAsync(SObjectDescriptor type, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, bool allOrNone, CancellationToken cancellationToken = default)
    {
        var drafts = records.Select(r => Draft.Prepare(type, WriteOperation.Update, r)).ToList();
        var seen = new HashSet<long>();
        foreach (var draft in drafts.Where(d => d.Id is not null && !seen.Add(d.Id.Value)))
        {
            draft.Errors.Add(new SaveError(ErrorCodes.DuplicateValue, $"Duplicate id in list: {draft.IdText}"));
        }

        if (drafts.All(d => d.Errors.Count > 0) || drafts.Count == 0)
        {
            return Results(type, drafts, allOrNone);
        }

        var starts = new List<(long RequestId, DateTimeOffset? StartAt)>();
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (type == SObjectCatalog.PackagePushRequest)
            {
                starts = await UpdateRequestsAsync(connection, drafts, allOrNone, cancellationToken);
            }
            else if (type == SObjectCatalog.PackagePushJob)
            {
                await UpdateJobsAsync(connection, drafts, allOrNone, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await TellSchedulerAsync(starts, cancellationToken);
        return Results(type, drafts, allOrNone);
    }

    private async Task CreateRequestsAsync(NpgsqlConnection connection, List<Draft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        var valid = drafts.Where(d => d.Errors.Count == 0).ToList();
        var versions = await LoadVersionsAsync(connection, valid.Select(d => (long)d.Values["PackageVersionId"]!), cancellationToken);
        foreach (var draft in valid)
        {
            var versionId = (long)draft.Values["PackageVersionId"]!;
            if (ClientChangeRules.CheckTargetVersion(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), versions.GetValueOrDefault(versionId)) is { } error)
            {
                draft.Errors.Add(error);
            }
        }

        if (!ShouldWrite(drafts, allOrNone))
        {
            return;
        }

        var writes = drafts.Where(d => d.Errors.Count == 0).ToList();
        var now = clock.Now();
        await using var command = new NpgsqlCommand(
            $"""
            WITH input AS (
                SELECT nextval('push_requests_id_seq') AS id, t.*
                FROM unnest($1::bigint[], $2::timestamptz[], $3::boolean[]) WITH ORDINALITY AS t(version_id, scheduled, migration, ord)
            ), inserted AS (
                INSERT INTO push_requests (id, package_version_id, scheduled_start_time, is_migration, status, created_by, created_at, system_modstamp)
                SELECT id, version_id, scheduled, migration, {PushStatusSql.Literal(PushStatus.Created)}, $4, $5, $5 FROM input
            )
            SELECT id FROM input ORDER BY ord
            """, connection);
        command.Parameters.Add(Array(writes.Select(d => (long)d.Values["PackageVersionId"]!), NpgsqlDbType.Bigint));
        command.Parameters.Add(Array(writes.Select(d => d.Values.GetValueOrDefault("ScheduledStartTime") is DateTimeOffset t ? t : (DateTimeOffset?)null), NpgsqlDbType.TimestampTz));
        command.Parameters.Add(Array(writes.Select(d => d.Values.GetValueOrDefault("IsMigration") as bool? ?? false), NpgsqlDbType.Boolean));
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await AssignIdsAsync(command, writes, cancellationToken);
    }

    private async Task CreateJobsAsync(NpgsqlConnection connection, List<Draft> drafts, bool allOrNone, CancellationToken cancellationToken)
    {
        var valid = drafts.Where(d => d.Errors.Count == 0).ToList();
        var requests = await LoadRequestsAsync(connection, valid.Select(d => (long)d.Values["PackagePushRequestId"]!), cancellationToken);
        await CheckJobsAsync(connection, valid, requests, checkExisting: allOrNone, cancellationToken);
        if (!ShouldWrite(drafts, allOrNone))
        {
            return;
        }

        var writes = drafts.Where(d => d.Errors.Count == 0).ToList();
        if (writes.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"""
            WITH input AS (
                SELECT nextval('push_jobs_id_seq') AS id, t.*
                FROM unnest($1::bigint[], $2::text[], $3::text[], $5::boolean[]) WITH ORDINALITY AS t(request_id, org_key, sent_key, remote, ord)
            ), inserted AS (
                INSERT INTO push_jobs (id, request_id, org_key, subscriber_organization_key, status, remote, created_at, system_modstamp)
                SELECT input.id, input.request_id, input.org_key, input.sent_key, {PushStatusSql.Literal(PushStatus.Created)}, input.remote, $4, $4
                FROM input
                ON CONFLICT (request_id, org_key) DO NOTHING
                RETURNING id, request_id
            ), counted AS (
                UPDATE push_requests r SET job_count = r.job_count + c.added, system_modstamp = $4
                FROM (SELECT request_id, count(*) AS added FROM inserted GROUP BY request_id) c
                WHERE r.id = c.request_id
            )
            SELECT CASE WHEN EXISTS (SELECT 1 FROM inserted WHERE inserted.id = input.id) THEN input.id END FROM input ORDER BY ord
            """, connection);
        command.Parameters.Add(Array(writes.Select(d => (long)d.Values["PackagePushRequestId"]!), NpgsqlDbType.Bigint));
        command.Parameters.Add(Array(writes.Select(d => d.OrgKey!), NpgsqlDbType.Text));
        command.Parameters.Add(Array(writes.Select(d => (string)d.Values["SubscriberOrganizationKey"]!), NpgsqlDbType.Text));
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        command.Parameters.Add(Array(writes.Select(d => d.Remote), NpgsqlDbType.Boolean));
        await AssignIdsAsync(command, writes, cancellationToken);

        // An org another transaction (or an earlier row of this call) added to the same request in the meantime is a duplicate too.
        foreach (var draft in writes.Where(d => d.Id is null))
        {
            draft.Errors.Add(new SaveError(ErrorCodes.DuplicateValue, $"The org {draft.OrgKey} is already part of this push request."));
        }
    }

    /// <summary>
    /// Eligibility of each (request, org) pair, with the facts of the whole batch read in set-based
    /// queries. Jobs already in a request are looked up only when <paramref name="checkExisting"/>
    /// (all-or-none calls must know every error before writing); otherwise the insert's ON CONFLICT
    /// finds them and they are reported as duplicates just the same.
    /// </summary>
    private static async Task CheckJobsAsync(NpgsqlConnection connection, List<Draft> drafts, Dictionary<long, RequestFacts> requests, bool checkExisting, CancellationToken cancellationToken)
    {
        foreach (var draft in drafts)
        {
            var requestId = (long)draft.Values["PackagePushRequestId"]!;
            if (!requests.ContainsKey(requestId))
            {
                draft.Errors.Add(ClientChangeRules.MissingRequest(SalesforceId.Format(KeyPrefixes.PackagePushRequest, requestId)));
                continue;
            }

            var sent = (string)draft.Values["SubscriberOrganizationKey"]!;
            draft.OrgKey = OrgKey.TryParse(sent.Trim(), out var key) ? key.Value : sent.Trim();
        }

        var checkable = drafts.Where(d => d.Errors.Count == 0).ToList();
        var pairs = checkable.Select(d => (Key: d.OrgKey!, Package: requests[(long)d.Values["PackagePushRequestId"]!].Target.PackageId)).Distinct().ToList();
        var orgs = await EligibilityFacts.LoadOrgsAsync(connection, pairs, lockInstallations: false, cancellationToken);
        var existing = checkExisting
            ? await LoadExistingJobsAsync(connection, checkable.Select(d => ((long)d.Values["PackagePushRequestId"]!, d.OrgKey!)), cancellationToken)
            : [];

        var inBatch = new HashSet<(long, string)>();
        foreach (var draft in checkable)
        {
            var requestId = (long)draft.Values["PackagePushRequestId"]!;
            var request = requests[requestId];
            var pair = (requestId, draft.OrgKey!);
            var duplicate = existing.Contains(pair) || !inBatch.Add(pair);
            var org = orgs.GetValueOrDefault((draft.OrgKey!, request.Target.PackageId));
            draft.Remote = org?.Remote ?? false;
            if (Eligibility.Check(request.Status, request.Target, org, duplicate) is { } reason)
            {
                draft.Errors.Add(Eligibility.ToSaveError(reason, draft.OrgKey!, request.Target, org?.Installation));
            }
        }
    }

    /// <summary>Updates requests; returns those scheduled (with their start) or aborted (without one).</summary>
    private async Task<List<(long RequestId, DateTimeOffset? StartAt)>> UpdateRequestsAsync(NpgsqlConnection connection, List<Draft> drafts, bool allOrNone, CancellationToken cancellationToken)
    {
        var current = new Dictionary<long, PushStatus>();
        var scheduled = new Dictionary<long, DateTimeOffset?>();
        var changes = new List<(long RequestId, DateTimeOffset? StartAt)>();
        await using (var select = new NpgsqlCommand("SELECT id, status, scheduled_start_time FROM push_requests WHERE id = ANY($1) FOR UPDATE", connection))
        {
            select.Parameters.Add(Array(drafts.Where(d => d.Id is not null).Select(d => d.Id!.Value), NpgsqlDbType.Bigint));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                current[reader.GetInt64(0)] = PushStatuses.Parse(reader.GetString(1));
                scheduled[reader.GetInt64(0)] = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            }
        }

        var versions = await LoadVersionsAsync(connection, drafts.Where(d => d.Errors.Count == 0 && d.Values.GetValueOrDefault("PackageVersionId") is long).Select(d => (long)d.Values["PackageVersionId"]!), cancellationToken);
        foreach (var draft in drafts.Where(d => d.Errors.Count == 0))
        {
            if (!current.TryGetValue(draft.Id!.Value, out var status))
            {
                draft.Errors.Add(NotFound(draft));
                continue;
            }

            if (draft.Values.TryGetValue("Status", out var requested) && requested is string requestedStatus)
            {
                if (ClientChangeRules.CheckRequestStatusChange(draft.IdText!, status, PushStatuses.Parse(requestedStatus)) is { } error)
                {
                    draft.Errors.Add(error);
                }
            }
            else if (draft.Values.ContainsKey("Status"))
            {
                draft.Errors.Add(new SaveError(ErrorCodes.InvalidOrNullForRestrictedPicklist, "Status: bad value for restricted picklist field: null", "Status"));
            }

            foreach (var field in draft.Values.Keys.Where(k => k != "Status"))
            {
                if (ClientChangeRules.CheckFieldChangeWhileCreated(PushRecord.Request, field, status) is { } error)
                {
                    draft.Errors.Add(error);
                }
            }

            if (draft.Values.GetValueOrDefault("PackageVersionId") is long versionId
                && ClientChangeRules.CheckTargetVersion(SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, versionId), versions.GetValueOrDefault(versionId)) is { } versionError)
            {
                draft.Errors.Add(versionError);
            }
            else if (draft.Values.TryGetValue("PackageVersionId", out var cleared) && cleared is null)
            {
                draft.Errors.Add(new SaveError(ErrorCodes.RequiredFieldMissing, "Required fields are missing: [PackageVersionId]", "PackageVersionId"));
            }

            draft.CurrentStatus = status;
        }

        if (!ShouldWrite(drafts, allOrNone))
        {
            return changes;
        }

        var now = clock.Now();
        var scheduling = new List<long>();
        var aborting = new List<long>();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var draft in drafts.Where(d => d.Errors.Count == 0))
        {
            var target = draft.Values.GetValueOrDefault("Status") is string s ? PushStatuses.Parse(s) : draft.CurrentStatus;
            if (draft.Values.TryGetValue("ScheduledStartTime", out var newStart))
            {
                scheduled[draft.Id!.Value] = newStart as DateTimeOffset?;
            }

            if (target != draft.CurrentStatus)
            {
                // A scheduled push starts at its start time, or now when that is past or not set.
                var startAt = scheduled[draft.Id!.Value] is { } at && at > now ? at : now;
                changes.Add((draft.Id!.Value, target == PushStatus.Pending ? startAt : null));
            }

            var sets = new List<string>();
            var command = new NpgsqlBatchCommand();
            command.Parameters.Add(new NpgsqlParameter { Value = draft.Id!.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            foreach (var (field, value) in draft.Values.Where(v => v.Key != "Status"))
            {
                command.Parameters.Add(field switch
                {
                    "PackageVersionId" => new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint },
                    "ScheduledStartTime" => new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    _ => new NpgsqlParameter { Value = value ?? false, NpgsqlDbType = NpgsqlDbType.Boolean },
                });
                sets.Add($"{RequestColumns[field]} = ${command.Parameters.Count}");
            }

            if (target != draft.CurrentStatus)
            {
                PushStatusTransitions.Ensure(PushRecord.Request, draft.CurrentStatus, target, PushActor.Client);
                (target == PushStatus.Pending ? scheduling : aborting).Add(draft.Id!.Value);
            }

            if (sets.Count == 0)
            {
                continue;
            }

            sets.Add("system_modstamp = $2");
            command.CommandText = $"UPDATE push_requests SET {string.Join(", ", sets)} WHERE id = $1";
            batch.BatchCommands.Add(command);
        }

        foreach (var (statement, ids) in new[] { (RequestStatusChanges.Schedule, scheduling), (RequestStatusChanges.Abort, aborting) })
        {
            if (ids.Count > 0)
            {
                var command = new NpgsqlBatchCommand(statement.Sql);
                command.Parameters.Add(Array(ids, NpgsqlDbType.Bigint));
                command.Parameters.Add(new NpgsqlParameter { Value = now });
                batch.BatchCommands.Add(command);
            }
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }

        return changes;
    }

    /// <summary>
    /// Tells the scheduler about committed schedules and aborts. A failure here loses nothing: the
    /// reconciler schedules any Pending request that has no trigger, and a trigger of an aborted request
    /// finds nothing to start.
    /// </summary>
    private async Task TellSchedulerAsync(List<(long RequestId, DateTimeOffset? StartAt)> changes, CancellationToken cancellationToken)
    {
        foreach (var (requestId, startAt) in changes)
        {
            try
            {
                if (startAt is { } at)
                {
                    await scheduler.ScheduleStartAsync(requestId, at, cancellationToken);
                }
                else
                {
                    await scheduler.CancelStartAsync(requestId, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not tell the scheduler about push request {RequestId}; the reconciler will.", requestId);
            }
        }
    }

    private async Task UpdateJobsAsync(NpgsqlConnection connection, List<Draft> drafts, bool allOrNone, CancellationToken cancellationToken)
    {
        // A job may move to another org or request only while both requests are Created; it is then checked like a new job.
        var current = new Dictionary<long, (long RequestId, string SentKey)>();
        await using (var select = new NpgsqlCommand("SELECT id, request_id, subscriber_organization_key FROM push_jobs WHERE id = ANY($1) FOR UPDATE", connection))
        {
            select.Parameters.Add(Array(drafts.Where(d => d.Id is not null).Select(d => d.Id!.Value), NpgsqlDbType.Bigint));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                current[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2));
            }
        }

        var changing = new List<Draft>();
        foreach (var draft in drafts.Where(d => d.Errors.Count == 0))
        {
            if (!current.TryGetValue(draft.Id!.Value, out var job))
            {
                draft.Errors.Add(NotFound(draft));
                continue;
            }

            draft.OldRequestId = job.RequestId;
            draft.Values.TryAdd("PackagePushRequestId", job.RequestId);
            draft.Values.TryAdd("SubscriberOrganizationKey", job.SentKey);
            if (draft.Values["PackagePushRequestId"] is null || draft.Values["SubscriberOrganizationKey"] is null)
            {
                draft.Errors.Add(ClientChangeRules.CheckRequired(SObjectCatalog.PackagePushJob, f => draft.Values.GetValueOrDefault(f.Name) is not null)!);
                continue;
            }

            changing.Add(draft);
        }

        var requests = await LoadRequestsAsync(connection, changing.SelectMany(d => new[] { d.OldRequestId!.Value, (long)d.Values["PackagePushRequestId"]! }), cancellationToken);
        foreach (var draft in changing.ToList())
        {
            foreach (var requestId in new[] { draft.OldRequestId!.Value, (long)draft.Values["PackagePushRequestId"]! }.Distinct())
            {
                if (requests.TryGetValue(requestId, out var request)
                    && ClientChangeRules.CheckFieldChangeWhileCreated(PushRecord.Job, "PackagePushRequestId", request.Status) is { } error)
                {
                    draft.Errors.Add(error with { Fields = [.. draft.Values.Keys] });
                    changing.Remove(draft);
                    break;
                }
            }
        }

        // The job itself must not count as a duplicate of the pair it already has.
        var unchanged = changing.Where(d => (long)d.Values["PackagePushRequestId"]! == d.OldRequestId
            && OrgKey.TryParse((string)d.Values["SubscriberOrganizationKey"]!, out var k) && OrgKey.TryParse(current[d.Id!.Value].SentKey, out var old) && k == old).ToList();
        await CheckJobsAsync(connection, [.. changing.Except(unchanged)], requests, checkExisting: true, cancellationToken);
        foreach (var draft in unchanged)
        {
            draft.OrgKey = OrgKey.Parse((string)draft.Values["SubscriberOrganizationKey"]!).Value;
        }

        if (!ShouldWrite(drafts, allOrNone))
        {
            return;
        }

        var now = clock.Now();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var draft in drafts.Where(d => d.Errors.Count == 0))
        {
            var command = new NpgsqlBatchCommand(
                """
                WITH moved AS (
                    UPDATE push_jobs SET request_id = $2, org_key = $3, subscriber_organization_key = $4, system_modstamp = $6 WHERE id = $1
                )
                UPDATE push_requests SET job_count = job_count + CASE WHEN id = $2 THEN 1 ELSE -1 END
                WHERE $2 <> $5 AND id IN ($2, $5)
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = draft.Id!.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = (long)draft.Values["PackagePushRequestId"]! });
            command.Parameters.Add(new NpgsqlParameter { Value = draft.OrgKey! });
            command.Parameters.Add(new NpgsqlParameter { Value = (string)draft.Values["SubscriberOrganizationKey"]! });
            command.Parameters.Add(new NpgsqlParameter { Value = draft.OldRequestId!.Value });
            command.Parameters.Add(new NpgsqlParameter { Value = now });
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static readonly Dictionary<string, string> RequestColumns = new(StringComparer.Ordinal)
    {
        ["PackageVersionId"] = "package_version_id",
        ["ScheduledStartTime"] = "scheduled_start_time",
        ["IsMigration"] = "is_migration",
    };

    private sealed record RequestFacts(PushStatus Status, TargetVersion Target);

    private static async Task<Dictionary<long, TargetVersion>> LoadVersionsAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<long, TargetVersion>();
        await using var command = new NpgsqlCommand(
            "SELECT id, package_id, major_version, minor_version, patch_version, build_number, release_state, is_deprecated FROM package_versions WHERE id = ANY($1)",
            connection);
        command.Parameters.Add(Array(ids.Distinct(), NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetInt64(0)] = EligibilityFacts.ReadTarget(reader, 0);
        }

        return versions;
    }

    /// <summary>
    /// The requests jobs are added to (or moved between), locked in id order so their status can't change
    /// until the jobs are in. The lock is exclusive (NO KEY UPDATE, not SHARE): the same transaction then
    /// updates the request's job count, and two share-lockers upgrading to that update would deadlock.
    /// </summary>
    private static async Task<Dictionary<long, RequestFacts>> LoadRequestsAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var requests = new Dictionary<long, RequestFacts>();
        await using var command = new NpgsqlCommand(
            """
            SELECT r.id, r.status, v.id, v.package_id, v.major_version, v.minor_version, v.patch_version, v.build_number, v.release_state, v.is_deprecated
            FROM push_requests r JOIN package_versions v ON v.id = r.package_version_id
            WHERE r.id = ANY($1)
            ORDER BY r.id
            FOR NO KEY UPDATE OF r
            """, connection);
        command.Parameters.Add(Array(ids.Distinct(), NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            requests[reader.GetInt64(0)] = new RequestFacts(PushStatuses.Parse(reader.GetString(1)), EligibilityFacts.ReadTarget(reader, 2));
        }

        return requests;
    }

    private static async Task<HashSet<(long, string)>> LoadExistingJobsAsync(NpgsqlConnection connection, IEnumerable<(long Request, string Key)> pairs, CancellationToken cancellationToken)
    {
        var list = pairs.Distinct().ToList();
        var existing = new HashSet<(long, string)>();
        await using var command = new NpgsqlCommand(
            "SELECT j.request_id, j.org_key FROM push_jobs j JOIN unnest($1::bigint[], $2::text[]) AS k(request_id, org_key) ON j.request_id = k.request_id AND j.org_key = k.org_key",
            connection);
        command.Parameters.Add(Array(list.Select(p => p.Request), NpgsqlDbType.Bigint));
        command.Parameters.Add(Array(list.Select(p => p.Key), NpgsqlDbType.Text));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            existing.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return existing;
    }

    private static async Task AssignIdsAsync(NpgsqlCommand command, List<Draft> writes, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var index = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            writes[index++].Id = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        }
    }

    private static bool ShouldWrite(List<Draft> drafts, bool allOrNone) =>
        drafts.Any(d => d.Errors.Count == 0) && (!allOrNone || drafts.All(d => d.Errors.Count == 0));

    private static SaveError NotFound(Draft draft) =>
        new(ErrorCodes.EntityIsDeleted, $"entity is deleted or does not exist: {draft.IdText}");

    private static NpgsqlParameter Array<T>(IEnumerable<T> values, NpgsqlDbType type) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };

    private static List<SaveResult> Results(SObjectDescriptor type, List<Draft> drafts, bool allOrNone)
    {
        var failed = drafts.Any(d => d.Errors.Count > 0);
        return drafts.Select(d => d.Errors.Count > 0
            ? SaveResult.Failed(d.Errors, d.Operation == WriteOperation.Update ? d.IdText : null)
            : allOrNone && failed
                ? SaveResult.Failed([RolledBack], d.Operation == WriteOperation.Update ? d.IdText : null)
                : SaveResult.Saved(SalesforceId.Format(type.KeyPrefix, d.Id!.Value))).ToList();
    }

    /// <summary>One record on its way in: checked values by canonical field name, and its errors.</summary>
    private sealed class Draft
    {
        private Draft(WriteOperation operation)
        {
            Operation = operation;
        }

        public WriteOperation Operation { get; }

        public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

        public List<SaveError> Errors { get; } = [];

        /// <summary>The row number: given on update, assigned on create.</summary>
        public long? Id { get; set; }

        /// <summary>The id as the client sent it (update).</summary>
        public string? IdText { get; private set; }

        /// <summary>A job's org key in its 15-character form.</summary>
        public string? OrgKey { get; set; }

        /// <summary>Whether the org is reached through a remote agent (a job's queue).</summary>
        public bool Remote { get; set; }

        public PushStatus CurrentStatus { get; set; }

        public long? OldRequestId { get; set; }

        public static Draft Prepare(SObjectDescriptor type, WriteOperation operation, IReadOnlyDictionary<string, object?> record)
        {
            var draft = new Draft(operation);
            var names = record.Keys.Where(k => !string.Equals(k, "attributes", StringComparison.OrdinalIgnoreCase)).ToList();
            if (operation == WriteOperation.Update)
            {
                var idKey = names.FirstOrDefault(n => string.Equals(n, "Id", StringComparison.OrdinalIgnoreCase));
                draft.IdText = idKey is null ? null : record[idKey]?.ToString();
                if (draft.IdText is null)
                {
                    draft.Errors.Add(new SaveError("MISSING_ARGUMENT", "Id not specified in an update call"));
                    return draft;
                }

                if (!SalesforceId.TryParse(draft.IdText, out var id) || id.Prefix != type.KeyPrefix || !id.TryGetNumber(out var number))
                {
                    draft.Errors.Add(new SaveError(ErrorCodes.MalformedId, $"invalid id: {draft.IdText}", "Id"));
                    return draft;
                }

                draft.Id = number;
                draft.IdText = id.Id18;
            }

            draft.Errors.AddRange(ClientChangeRules.CheckFieldNames(type, operation, names));
            if (draft.Errors.Count > 0)
            {
                return draft;
            }

            foreach (var name in names)
            {
                var field = type.FindField(name)!;
                if (field.Name == "Id")
                {
                    continue;
                }

                var (value, error) = FieldValues.Convert(field, record[name]);
                if (error is not null)
                {
                    draft.Errors.Add(error);
                }
                else
                {
                    draft.Values[field.Name] = value;
                }
            }

            if (operation == WriteOperation.Create && draft.Errors.Count == 0)
            {
                if (ClientChangeRules.CheckRequired(type, f => draft.Values.GetValueOrDefault(f.Name) is not null) is { } missing)
                {
                    draft.Errors.Add(missing);
                }

                if (draft.Values.GetValueOrDefault("Status") is string status && ClientChangeRules.CheckCreateStatus(type == SObjectCatalog.PackagePushRequest ? PushRecord.Request : PushRecord.Job, PushStatuses.Parse(status)) is { } statusError)
                {
                    draft.Errors.Add(statusError);
                }
            }

            return draft;
        }
    }
}
