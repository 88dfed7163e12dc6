using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>
/// Moves PackagePushJobs to another org or request. Allowed only while both requests are Created; the
/// job is then checked like a new one, and the requests' job counts follow it.
/// </summary>
public sealed class UpdatePushJobs(TimeProvider clock)
{
    public async Task RunAsync(NpgsqlConnection connection, IReadOnlyList<PushJobDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken)
    {
        var current = await LockJobsAsync(connection, drafts.Where(d => d.Record.Id is not null).Select(d => d.Record.Id!.Value), cancellationToken);
        var changing = new List<PushJobDraft>();
        foreach (var draft in drafts.Where(d => d.Record.IsValid))
        {
            if (!current.TryGetValue(draft.Record.Id!.Value, out var job))
            {
                draft.Record.Errors.Add(draft.Record.NotFound());
                continue;
            }

            draft.Complete(job.RequestId, job.SentKey);
            if (draft.RequestId is null || draft.SentOrgKey is null)
            {
                draft.Record.Errors.Add(ClientChangeRules.CheckRequired(SObjectCatalog.PackagePushJob, draft, static (d, f) => f == PushJobDraft.RequestIdField ? d.RequestId is not null : d.SentOrgKey is not null)!);
                continue;
            }

            changing.Add(draft);
        }

        var requests = await PushRequestLocks.LockWithTargetsAsync(connection, changing.SelectMany(d => new[] { d.OldRequestId!.Value, d.RequestId!.Value }), cancellationToken);
        changing.RemoveAll(draft => !BothRequestsCreated(draft, requests));

        // The job itself must not count as a duplicate of the pair it already has.
        var unchanged = changing.Where(d => d.KeepsPlace(current[d.Record.Id!.Value].SentKey)).ToList();
        await PushJobChecks.CheckAsync(connection, [.. changing.Except(unchanged)], requests, checkExisting: true, cancellationToken);
        foreach (var draft in unchanged)
        {
            draft.NormalizeOrgKey();
        }

        if (SaveResults.ShouldWrite([.. drafts.Select(d => d.Record)], allOrNone))
        {
            await MoveAsync(connection, [.. drafts.Where(d => d.Record.IsValid)], userId, cancellationToken);
        }
    }

    /// <summary>A job may change only while the request it leaves and the one it joins are Created.</summary>
    private static bool BothRequestsCreated(PushJobDraft draft, Dictionary<long, LockedRequest> requests)
    {
        foreach (var requestId in new[] { draft.OldRequestId!.Value, draft.RequestId!.Value }.Distinct())
        {
            if (requests.TryGetValue(requestId, out var request)
                && ClientChangeRules.CheckFieldChangeWhileCreated(PushRecord.Job, "PackagePushRequestId", request.Status) is { } error)
            {
                draft.Record.Errors.Add(error with { Fields = draft.UpdatedFieldNames });
                return false;
            }
        }

        return true;
    }

    private static async Task<Dictionary<long, (long RequestId, string SentKey)>> LockJobsAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var current = new Dictionary<long, (long RequestId, string SentKey)>();
        await using var select = new NpgsqlCommand("SELECT id, request_id, subscriber_organization_key FROM push_jobs WHERE id = ANY($1) FOR UPDATE", connection);
        select.Parameters.Add(SqlParameters.Array(ids, NpgsqlDbType.Bigint));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            current[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2));
        }

        return current;
    }

    private async Task MoveAsync(NpgsqlConnection connection, List<PushJobDraft> writes, long userId, CancellationToken cancellationToken)
    {
        var now = clock.Now();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var draft in writes)
        {
            var command = new NpgsqlBatchCommand(
                """
                WITH moved AS (
                    UPDATE push_jobs SET request_id = $2, org_key = $3, subscriber_organization_key = $4, system_modstamp = $6, last_modified_by = $7 WHERE id = $1
                )
                UPDATE push_requests SET job_count = job_count + CASE WHEN id = $2 THEN 1 ELSE -1 END, system_modstamp = $6, last_modified_by = $7
                WHERE $2 <> $5 AND id IN ($2, $5)
                """);
            command.Parameters.Add(SqlParameters.Value(draft.Record.Id!.Value));
            command.Parameters.Add(SqlParameters.Value(draft.RequestId!.Value));
            command.Parameters.Add(SqlParameters.Value(draft.OrgKey!));
            command.Parameters.Add(SqlParameters.Value(draft.SentOrgKey!));
            command.Parameters.Add(SqlParameters.Value(draft.OldRequestId!.Value));
            command.Parameters.Add(SqlParameters.Value(now));
            command.Parameters.Add(SqlParameters.Value(userId));
            batch.BatchCommands.Add(command);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
