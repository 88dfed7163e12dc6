using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>
/// How jobs (status Created) are inserted and counted on their requests, whether 1 or 100,000: the DML's checked drafts
/// (<see cref="RunAsync(NpgsqlConnection, long[], IReadOnlyList{PushJobDraft}, DateTimeOffset, long, CancellationToken)"/>)
/// and a deployment's selected orgs (<see cref="CreatePushJobs.AddSelectedAsync"/>). The statement runs first as a plain
/// <c>INSERT</c> in a savepoint: a (request, org) pair already there is the exception, and
/// <c>ON CONFLICT</c>'s speculative insertion costs about a quarter more a row (61 against 47 ms for 10,000 rows, with
/// push_jobs' indexes). When a pair is there (an org already in its request, twice in one call, or added by another
/// transaction meanwhile) the savepoint is rolled back and the statement runs again with <c>ON CONFLICT DO NOTHING</c>,
/// which leaves those rows out. PostgreSQL logs that unique violation as an ERROR of its own (docs/production.md says
/// so); the client sees <c>DUPLICATE_VALUE</c> for the row, as before.
/// </summary>
internal static class PushJobInsert
{
    private const string Savepoint = "push_jobs_insert";
    private const string PairConstraint = "push_jobs_request_org_key";

    /// <summary>Inserts a job for each write, with the id at its index in <paramref name="ids"/>; answers the ids inserted.</summary>
    public static Task<HashSet<long>> RunAsync(NpgsqlConnection connection, long[] ids, IReadOnlyList<PushJobDraft> writes, DateTimeOffset now, long userId, CancellationToken cancellationToken) =>
        RunAsync(connection, skipDuplicates => Statement(ids, writes, now, userId, skipDuplicates), (reader, token) => ReadIdsAsync(reader, writes.Count, token), cancellationToken);

    /// <summary>
    /// Runs an insert of jobs, <paramref name="statement"/> (asked without, then if need be with, <c>ON CONFLICT (request_id,
    /// org_key) DO NOTHING</c>), and reads what it answers with <paramref name="read"/> (the savepoint's statements answer no rows).
    /// </summary>
    public static async Task<T> RunAsync<T>(NpgsqlConnection connection, Func<bool, NpgsqlBatchCommand> statement, Func<NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands = { new NpgsqlBatchCommand($"SAVEPOINT {Savepoint}"), statement(false), new NpgsqlBatchCommand($"RELEASE SAVEPOINT {Savepoint}") },
            };
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            return await read(reader, cancellationToken);
        }
        catch (PostgresException e) when (PostgresErrors.IsUniqueViolation(e, PairConstraint))
        {
            await using var rollback = new NpgsqlCommand($"ROLLBACK TO SAVEPOINT {Savepoint}", connection);
            await rollback.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var again = new NpgsqlBatch(connection) { BatchCommands = { statement(true) } };
        await using var answer = await again.ExecuteReaderAsync(cancellationToken);
        return await read(answer, cancellationToken);
    }

    /// <summary>The <c>ON CONFLICT</c> clause of an insert of jobs that skips duplicates; nothing otherwise.</summary>
    public static string OnConflict(bool skipDuplicates) => skipDuplicates ? "ON CONFLICT (request_id, org_key) DO NOTHING" : "";

    private static NpgsqlBatchCommand Statement(long[] ids, IReadOnlyList<PushJobDraft> writes, DateTimeOffset now, long userId, bool skipDuplicates)
    {
        var command = new NpgsqlBatchCommand(
            $"""
            WITH inserted AS (
                INSERT INTO push_jobs (id, request_id, org_key, subscriber_organization_key, status, remote, created_by, last_modified_by, created_at, system_modstamp)
                SELECT t.id, t.request_id, t.org_key, t.sent_key, {PushStatusSql.Literal(PushStatus.Created)}, t.remote, $7, $7, $5, $5
                FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $6::boolean[]) AS t(id, request_id, org_key, sent_key, remote)
                {OnConflict(skipDuplicates)}
                RETURNING id, request_id
            ), counted AS (
                UPDATE push_requests r SET job_count = r.job_count + c.added, system_modstamp = $5, last_modified_by = $7
                FROM (SELECT request_id, count(*) AS added FROM inserted GROUP BY request_id) c
                WHERE r.id = c.request_id
            )
            SELECT id FROM inserted
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.RequestId!.Value), NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.OrgKey!), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.SentOrgKey!), NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Value(now));
        command.Parameters.Add(SqlParameters.Array(writes.Select(d => d.Remote), NpgsqlDbType.Boolean));
        command.Parameters.Add(SqlParameters.Value(userId));
        return command;
    }

    /// <summary>
    /// Hands <paramref name="row"/> every row of the batch's results, in whichever result the insert's rows come (the
    /// savepoint's statements answer none). A reader makes its state anew for each attempt: rows read before a unique
    /// violation belong to the attempt rolled back.
    /// </summary>
    public static async Task ForEachRowAsync(NpgsqlDataReader reader, Action<NpgsqlDataReader> row, CancellationToken cancellationToken)
    {
        do
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                row(reader);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));
    }

    private static async Task<HashSet<long>> ReadIdsAsync(NpgsqlDataReader reader, int count, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<long>(count);
        await ForEachRowAsync(reader, r => inserted.Add(r.GetInt64(0)), cancellationToken);
        return inserted;
    }
}
