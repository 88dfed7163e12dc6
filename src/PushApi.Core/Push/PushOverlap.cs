using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Push;

/// <summary>An org of a request about to be scheduled that another live push of the package already has.</summary>
public sealed record PushOverlapFound(long RequestId, string OrgKey, long OtherRequestId)
{
    /// <summary>The refusal, naming the org and the other request.</summary>
    public string Message =>
        $"The org {OrgKey} is already in push request {SalesforceId.Format(KeyPrefixes.PackagePushRequest, OtherRequestId)}, which is scheduled or running for this package; " +
        "remove its job from this request, or cancel that request, before scheduling this one.";
}

/// <summary>
/// The check at schedule time that no org ends up in two live pushes of one package: two Created requests may share
/// an org (a Created request does not block adding jobs), but only one of them can be scheduled. Set-based: the live
/// requests of the packages concerned (few), then their jobs against the scheduled requests' jobs through the
/// (request, org) key. Callers hold the packages' locks (<see cref="EligibilityFacts.LockPackagesAsync"/>).
/// </summary>
public static class PushOverlap
{
    /// <summary>
    /// The first shared org of each request of <paramref name="requestIds"/> (whose version, when it changes in the same
    /// write, is <paramref name="versionIds"/>' entry, else null): with a Pending or In Progress request of its package,
    /// a Created request that holds its orgs (<see cref="EligibilityFacts.LiveRequest"/>), or an earlier request scheduled in the same write.
    /// </summary>
    public static async Task<Dictionary<long, PushOverlapFound>> FindAsync(NpgsqlConnection connection, IReadOnlyList<long> requestIds, IReadOnlyList<long?> versionIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, PushOverlapFound>();
        if (requestIds.Count == 0)
        {
            return found;
        }

        await using var command = new NpgsqlCommand(
            $"""
            WITH scheduled AS (
                SELECT s.id, v.package_id
                FROM unnest($1::bigint[], $2::bigint[]) AS s(id, version_id)
                JOIN push_requests r ON r.id = s.id
                JOIN package_versions v ON v.id = coalesce(s.version_id, r.package_version_id)
            ), live AS (
                SELECT r.id, v.package_id FROM push_requests r JOIN package_versions v ON v.id = r.package_version_id
                WHERE v.package_id IN (SELECT package_id FROM scheduled) AND r.id <> ALL($1) AND {EligibilityFacts.LiveRequest("r")}
                UNION ALL
                SELECT id, package_id FROM scheduled
            )
            SELECT DISTINCT ON (s.id) s.id, j.org_key, l.id
            FROM scheduled s
            JOIN live l ON l.package_id = s.package_id AND l.id <> s.id AND (l.id < s.id OR NOT l.id = ANY($1))
            JOIN push_jobs o ON o.request_id = l.id AND NOT {PushStatusSql.Is("o.status", PushStatus.Canceled)}
            JOIN push_jobs j ON j.request_id = s.id AND j.org_key = o.org_key AND NOT {PushStatusSql.Is("j.status", PushStatus.Canceled)}
            ORDER BY s.id, j.id, l.id
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(new NpgsqlParameter { Value = versionIds.Select(v => v is { } id ? (object)id : DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetInt64(0)] = new PushOverlapFound(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2));
        }

        return found;
    }

    /// <summary>The packages of the requests (the given version's where one changes in the same write), to lock before <see cref="FindAsync"/>.</summary>
    public static async Task<List<long>> PackagesAsync(NpgsqlConnection connection, IReadOnlyList<long> requestIds, IReadOnlyList<long?> versionIds, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT DISTINCT v.package_id FROM unnest($1::bigint[], $2::bigint[]) AS s(id, version_id)
            JOIN push_requests r ON r.id = s.id JOIN package_versions v ON v.id = coalesce(s.version_id, r.package_version_id)
            """, connection);
        command.Parameters.Add(SqlParameters.Array(requestIds, NpgsqlDbType.Bigint));
        command.Parameters.Add(new NpgsqlParameter { Value = versionIds.Select(v => v is { } id ? (object)id : DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        var packages = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            packages.Add(reader.GetInt64(0));
        }

        return packages;
    }
}
