using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Installs;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;

namespace PushApi.Core.Dml;

/// <summary>A push request as the job rules see it: its status and the version it targets.</summary>
public sealed record LockedRequest(PushStatus Status, TargetVersion Target, bool Installs = false);

/// <summary>
/// Reads the push requests a write changes, locked in id order so their status can't change until the
/// write commits.
/// </summary>
public static class PushRequestLocks
{
    /// <summary>
    /// The requests jobs are added to (or moved between), with their target versions. The lock is
    /// exclusive (NO KEY UPDATE, not SHARE): the same transaction then updates the request's job count,
    /// and two share-lockers upgrading to that update would deadlock.
    /// </summary>
    public static async Task<Dictionary<long, LockedRequest>> LockWithTargetsAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var requests = new Dictionary<long, LockedRequest>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT r.id, r.status, {EligibilityFacts.TargetColumns("v")}, r.install_mode
            FROM push_requests r JOIN package_versions v ON v.id = r.package_version_id
            WHERE r.id = ANY($1)
            ORDER BY r.id
            FOR NO KEY UPDATE OF r
            """, connection);
        command.Parameters.Add(SqlParameters.Array(ids.Distinct(), NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            requests[reader.GetInt64(0)] = new LockedRequest(PushStatuses.Parse(reader.GetString(1)), EligibilityFacts.ReadTarget(reader, 2), InstallModes.Installs(reader.GetString(10)));
        }

        return requests;
    }

    /// <summary>The status of each request a client updates, its row locked (FOR UPDATE: its columns change).</summary>
    public static async Task<Dictionary<long, PushStatus>> LockStatusesAsync(NpgsqlConnection connection, IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<long, PushStatus>();
        await using var command = new NpgsqlCommand("SELECT id, status FROM push_requests WHERE id = ANY($1) ORDER BY id FOR UPDATE", connection);
        command.Parameters.Add(SqlParameters.Array(ids, NpgsqlDbType.Bigint));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetInt64(0)] = PushStatuses.Parse(reader.GetString(1));
        }

        return statuses;
    }
}
