using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>
/// Adds PackagePushJobs (status Created) to Created requests: the requests are locked, every org is
/// checked set-based, and the eligible jobs are inserted in one statement that also counts them on
/// their requests, whether 1 or 100,000 (<see cref="PushJobInsert"/>). The jobs and their requests are attributed to the user who adds them.
/// </summary>
public sealed class CreatePushJobs(TimeProvider clock)
{
    /// <summary>Adds the valid drafts' jobs; <paramref name="facts"/> are their orgs' facts when read ahead (<see cref="PushJobFacts"/>).</summary>
    public async Task RunAsync(NpgsqlConnection connection, IReadOnlyList<PushJobDraft> drafts, bool allOrNone, long userId, CancellationToken cancellationToken, PushJobFacts? facts = null)
    {
        var valid = drafts.Where(d => d.Record.IsValid).ToList();
        var requests = await PushRequestLocks.LockWithTargetsAsync(connection, valid.Select(d => d.RequestId!.Value), cancellationToken);
        await PushJobChecks.CheckAsync(connection, valid, requests, checkExisting: allOrNone, cancellationToken, facts);
        if (!SaveResults.ShouldWrite([.. drafts.Select(d => d.Record)], allOrNone))
        {
            return;
        }

        var writes = drafts.Where(d => d.Record.IsValid).ToList();
        if (writes.Count == 0)
        {
            return;
        }

        // The ids are taken before the statement (read ahead with the facts, for a bulk chunk); it answers those it inserted.
        var ids = facts?.TakeIds(writes.Count) ?? await PushJobIds.TakeAsync(connection, writes.Count, cancellationToken);
        var inserted = await PushJobInsert.RunAsync(connection, ids, writes, clock.Now(), userId, cancellationToken);
        for (var i = 0; i < writes.Count; i++)
        {
            writes[i].Record.Id = inserted.Contains(ids[i]) ? ids[i] : null;
        }

        // An org another transaction (or an earlier row of this call) added to the same request in the meantime is a duplicate too.
        foreach (var draft in writes.Where(d => d.Record.Id is null))
        {
            draft.Record.Errors.Add(new SaveError(ErrorCodes.DuplicateValue, $"The org {draft.OrgKey} is already part of this push request."));
        }
    }

    /// <summary>
    /// Adds to one Created request a job for each org <paramref name="selection"/> yields, in its order, with one
    /// <c>INSERT … SELECT</c> (<see cref="PushJobInsert"/>) that also counts them on the request: a deployment to all its tenants, whose orgs are
    /// selected and checked set-based in that same statement (<see cref="JobSelection"/>), so their keys never leave
    /// PostgreSQL. The caller holds the package's lock (<see cref="EligibilityFacts.LockPackagesAsync"/>). Answers how many were added.
    /// </summary>
    public async Task<long> AddSelectedAsync(NpgsqlConnection connection, long requestId, JobSelection selection, long userId, CancellationToken cancellationToken)
    {
        var requests = await PushRequestLocks.LockWithTargetsAsync(connection, [requestId], cancellationToken);
        if (!requests.TryGetValue(requestId, out var locked) || locked.Status != PushStatus.Created)
        {
            throw new InvalidOperationException($"Push request {requestId} is not a Created request; no jobs can be added to it.");
        }

        var n = selection.Parameters.Count;
        var (request, now, user) = ($"${n + 1}", $"${n + 2}", $"${n + 3}");
        var at = clock.Now();
        NpgsqlBatchCommand Statement(bool skipDuplicates)
        {
            var command = new NpgsqlBatchCommand(
                $"""
                WITH selected AS (
                    {selection.Sql}
                ), inserted AS (
                    INSERT INTO push_jobs (id, request_id, org_key, subscriber_organization_key, status, remote, created_by, last_modified_by, created_at, system_modstamp)
                    SELECT nextval('push_jobs_id_seq'), {request}, s.org_key, s.org_key, {PushStatusSql.Literal(PushStatus.Created)}, s.remote, {user}, {user}, {now}, {now}
                    FROM selected s
                    {PushJobInsert.OnConflict(skipDuplicates)}
                    RETURNING 1
                ), added AS (
                    SELECT count(*) AS added FROM inserted
                ), counted AS (
                    UPDATE push_requests r SET job_count = r.job_count + a.added, system_modstamp = {now}, last_modified_by = {user}
                    FROM added a WHERE r.id = {request}
                )
                SELECT added FROM added
                """);
            // A parameter belongs to one command, and the statement may be sent twice.
            foreach (var parameter in selection.Parameters)
            {
                command.Parameters.Add(parameter.Clone());
            }

            command.Parameters.Add(SqlParameters.Value(requestId));
            command.Parameters.Add(SqlParameters.Value(at));
            command.Parameters.Add(SqlParameters.Value(userId));
            return command;
        }

        return await PushJobInsert.RunAsync(connection, Statement, ReadAddedAsync, cancellationToken);
    }

    /// <summary>The one row, the count of jobs added.</summary>
    private static async Task<long> ReadAddedAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        long? added = null;
        await PushJobInsert.ForEachRowAsync(reader, r => added = r.GetInt64(0), cancellationToken);
        return added ?? throw new InvalidOperationException("The insert of a deployment's jobs answered no count.");
    }
}

/// <summary>
/// A statement (<see cref="Sql"/>, with its positional <see cref="Parameters"/>) that yields the orgs to add jobs for as
/// columns <c>org_key</c> and <c>remote</c>, each org once, in job order, every one of them eligible: the statement itself decides that, by <see cref="Eligibility"/>'s rules.
/// </summary>
public sealed record JobSelection(string Sql, IReadOnlyList<NpgsqlParameter> Parameters);
