using Npgsql;
using PushApi.Core.Errors;
using PushApi.Core.Ids;
using PushApi.Core.Packages;
using PushApi.Core.Persistence;
using PushApi.Core.Push.Engine;

namespace PushApi.Core.Push;

/// <summary>A request's jobs by outcome, from the counters the engine keeps.</summary>
public sealed record JobCounts(int Total, int Succeeded, int Failed, int Canceled)
{
    /// <summary>Jobs not finished yet.</summary>
    public int Remaining => Total - Succeeded - Failed - Canceled;
}

/// <summary>A push request's state and progress, from the counters the engine keeps (no count over the jobs).</summary>
public sealed record PushRequestProgress(
    string Id,
    string PackageVersionId,
    string PackageVersionName,
    string Status,
    DateTimeOffset? ScheduledStartTime,
    DateTimeOffset? StartTime,
    DateTimeOffset? EndTime,
    int? DurationSeconds,
    DateTimeOffset? HaltedAt,
    DateTimeOffset CreatedAt,
    string? RetryOf,
    bool NotifyTenants,
    JobCounts Jobs);

/// <summary>Push requests as the native API shows and controls them: progress one by one or newest first, and halting.</summary>
public sealed class PushRequests(NpgsqlDataSource dataSource, PushJobStore store)
{
    /// <summary>The request with this id (0DV…), or a NotFoundException.</summary>
    public async Task<PushRequestProgress> GetAsync(string requestId, CancellationToken cancellationToken = default) =>
        await GetAsync(ParseOrThrowNotFound(requestId), cancellationToken) ?? throw NotFound(requestId);

    /// <summary>The request with this row number, or null.</summary>
    public async Task<PushRequestProgress?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        (await ReadAsync("r.id = $1", id, 1, cancellationToken)).SingleOrDefault();

    /// <summary>
    /// Requests older than <paramref name="before"/> (a row number), newest first, of one package's versions
    /// when <paramref name="packageId"/> (a row number) is given; <c>More</c> when another page follows.
    /// </summary>
    public async Task<(IReadOnlyList<PushRequestProgress> Items, bool More)> ListAsync(long before, int limit, long? packageId = null, CancellationToken cancellationToken = default)
    {
        var items = packageId is { } package
            ? await ReadAsync("r.id < $1 AND v.package_id = $3", before, limit + 1, cancellationToken, package)
            : await ReadAsync("r.id < $1", before, limit + 1, cancellationToken);
        var more = items.Count > limit;
        return (more ? items[..limit] : items, more);
    }

    /// <summary>Halts a running push (see <see cref="PushJobStore.HaltAsync(long, CancellationToken)"/>); a request that is not running is a conflict.</summary>
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

    private async Task<List<PushRequestProgress>> ReadAsync(string condition, long key, int limit, CancellationToken cancellationToken, long? packageId = null)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT r.id, r.package_version_id, {PackageVersion.DisplayNameSql("v", "p")}, r.status, r.scheduled_start_time, r.start_time, r.end_time, r.duration_seconds, r.halted_at,
                   r.created_at, r.retry_of, r.notify_tenants, r.job_count, r.succeeded_count, r.failed_count, r.canceled_count
            FROM push_requests r JOIN package_versions v ON v.id = r.package_version_id JOIN packages p ON p.id = v.package_id
            WHERE {condition}
            ORDER BY r.id DESC LIMIT $2
            """);
        command.Parameters.Add(SqlParameters.Value(key));
        command.Parameters.Add(SqlParameters.Value(limit));
        if (packageId is { } package)
        {
            command.Parameters.Add(SqlParameters.Value(package));
        }

        var items = new List<PushRequestProgress>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            DateTimeOffset? Time(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
            items.Add(new PushRequestProgress(
                SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(0)),
                SalesforceId.Format(KeyPrefixes.MetadataPackageVersion, reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                Time(4),
                Time(5),
                Time(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                Time(8),
                reader.GetFieldValue<DateTimeOffset>(9),
                reader.IsDBNull(10) ? null : SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(10)),
                reader.GetBoolean(11),
                new JobCounts(reader.GetInt32(12), reader.GetInt32(13), reader.GetInt32(14), reader.GetInt32(15))));
        }

        return items;
    }

    private static long ParseOrThrowNotFound(string requestId) =>
        SalesforceId.TryParseNumber(requestId, KeyPrefixes.PackagePushRequest, out var id) ? id : throw NotFound(requestId);

    private static NotFoundException NotFound(string requestId) => new($"No push request has the id {requestId}.");
}
