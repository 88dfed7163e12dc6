using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Push.Engine;

namespace PushApi.Core.Push;

/// <summary>A push request's state and progress, from the counters the engine keeps (no count over the jobs).</summary>
public sealed record PushRequestProgress(
    string Id,
    string PackageVersionId,
    string Status,
    DateTimeOffset? ScheduledStartTime,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    int? DurationSeconds,
    DateTimeOffset? HaltedAt,
    int Total,
    int Succeeded,
    int Failed,
    int Canceled)
{
    /// <summary>Jobs not finished yet.</summary>
    public int Remaining => Total - Succeeded - Failed - Canceled;
}

/// <summary>Push requests as the native API shows and controls them.</summary>
public sealed class PushRequests(NpgsqlDataSource dataSource, PushJobStore store)
{
    public async Task<PushRequestProgress> GetAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(requestId);
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, package_version_id, status, scheduled_start_time, start_time, end_time, duration_seconds, halted_at,
                   job_count, succeeded_count, failed_count, canceled_count
            FROM push_requests WHERE id = $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new NotFoundException($"No push request has the id {requestId}.");
        }

        DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        return new PushRequestProgress(
            SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(0)),
            SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(1)),
            reader.GetString(2),
            Time(3),
            Time(4),
            Time(5),
            reader.IsDBNull(6) ? null : reader.GetInt32(6),
            Time(7),
            reader.GetInt32(8),
            reader.GetInt32(9),
            reader.GetInt32(10),
            reader.GetInt32(11));
    }

    /// <summary>Halts a running push (see <see cref="PushJobStore.HaltAsync"/>); a request that is not running is a conflict.</summary>
    public async Task<PushRequestProgress> HaltAsync(string requestId, CancellationToken cancellationToken = default)
    {
        var id = ParseOrThrowNotFound(requestId);
        if (!await store.HaltAsync(id, cancellationToken))
        {
            var current = await GetAsync(requestId, cancellationToken);
            throw new ConflictException(current.HaltedAt is null
                ? $"Push request {current.Id} is {current.Status}; only a request In Progress can be halted. Cancel a Created or Pending request instead."
                : $"Push request {current.Id} was halted already.");
        }

        return await GetAsync(requestId, cancellationToken);
    }

    private static long ParseOrThrowNotFound(string requestId) =>
        SalesforceId.TryParseNumber(requestId, KeyPrefixes.PackagePushRequest, out var id) ? id : throw new NotFoundException($"No push request has the id {requestId}.");
}
