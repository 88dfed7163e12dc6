using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push;

/// <summary>Failed jobs counted by error type and title.</summary>
public sealed record FailureGroup(string? ErrorType, string? ErrorTitle, int Count);

/// <summary>A failed job with its tenant and its first error.</summary>
public sealed record FailedJob(long JobId, string OrgKey, string? OrgName, string? OrgType, string Status, string? ErrorType, string? ErrorTitle, string? ErrorMessage, string? ErrorDetails);

/// <summary>
/// The failures of a push request, each job by its first error (the one a report shows): counted by
/// type and title, listed in keyset pages, and chosen for a retry.
/// </summary>
public static class PushFailureReport
{
    /// <summary>Joins a job (<c>j</c>) to its first error (<c>e</c>), if any.</summary>
    internal const string FirstError = "LEFT JOIN LATERAL (SELECT * FROM push_errors e WHERE e.job_id = j.id ORDER BY e.id LIMIT 1) e ON true";

    private static readonly string Failed = PushStatusSql.Is("j.status", PushStatus.Failed);

    /// <summary>The failed jobs of requests (a push's, or a deployment's waves) counted by the type and title of their first error, most frequent first.</summary>
    public static async Task<List<FailureGroup>> GroupsAsync(NpgsqlConnection connection, IReadOnlyList<long> requests, int? limit, CancellationToken cancellationToken = default)
    {
        var groups = new List<FailureGroup>();
        // A request whose jobs retention took (or is taking) out of push_jobs counts by the groups it kept when its purge began.
        await using var command = new NpgsqlCommand(
            $"""
            SELECT error_type, error_title, sum(n)::int FROM (
                SELECT e.error_type, e.error_title, count(*) AS n FROM push_jobs j
                {FirstError}
                WHERE j.request_id = ANY($1) AND {Failed}
                  AND NOT EXISTS (SELECT 1 FROM push_request_retention h WHERE h.request_id = j.request_id)
                GROUP BY 1, 2
                UNION ALL
                SELECT g ->> 'errorType', g ->> 'errorTitle', (g ->> 'count')::bigint
                FROM push_request_retention h, jsonb_array_elements(h.failure_groups) g
                WHERE h.request_id = ANY($1)
            ) groups
            GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT $2
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)limit ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new FailureGroup(reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2)));
        }

        return groups;
    }

    /// <summary>The requests' failed jobs after job <paramref name="after"/>, in id order, with their tenant and first error.</summary>
    public static async IAsyncEnumerable<FailedJob> ReadAsync(NpgsqlConnection connection, IReadOnlyList<long> requests, long after, int limit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT j.id, j.org_key, t.org_name, t.org_type, j.status, e.error_type, e.error_title, e.error_message, e.error_details
            FROM push_jobs j
            LEFT JOIN tenants t ON t.org_key = j.org_key
            {FirstError}
            WHERE j.request_id = ANY($1) AND {Failed} AND j.id > $2
            ORDER BY j.id LIMIT $3
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Value(after));
        command.Parameters.Add(SqlParameters.Value(limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            yield return new FailedJob(reader.GetInt64(0), reader.GetString(1), Text(2), Text(3), reader.GetString(4), Text(5), Text(6), Text(7), Text(8));
        }
    }

    /// <summary>
    /// The orgs of the requests' failed jobs whose first error is of one of <paramref name="errorTypes"/>
    /// (any when empty) and whose error title or type is not in <paramref name="excluded"/>. Failed jobs that retention
    /// moved to the history have no error left: they are retried only when neither filter is given.
    /// </summary>
    public static async Task<List<string>> OrgsToRetryAsync(NpgsqlConnection connection, IReadOnlyList<long> requests, IReadOnlyCollection<string> errorTypes, IReadOnlyCollection<string> excluded, CancellationToken cancellationToken = default)
    {
        var orgs = new List<string>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT org_key FROM (
                SELECT j.id, j.org_key FROM push_jobs j
                {FirstError}
                WHERE j.request_id = ANY($1) AND {Failed}
                  AND (cardinality($2::text[]) = 0 OR e.error_type = ANY($2))
                  AND NOT (coalesce(e.error_title, '') = ANY($3) OR coalesce(e.error_type, '') = ANY($3))
                UNION ALL
                SELECT j.id, j.org_key FROM push_job_history j
                WHERE j.request_id = ANY($1) AND {Failed} AND cardinality($2::text[]) = 0 AND cardinality($3::text[]) = 0
            ) failed
            ORDER BY id
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requests, NpgsqlDbType.Bigint));
        command.Parameters.Add(SqlParameters.Array(errorTypes, NpgsqlDbType.Text));
        command.Parameters.Add(SqlParameters.Array(excluded, NpgsqlDbType.Text));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            orgs.Add(reader.GetString(0));
        }

        return orgs;
    }
}
