using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Soql;

namespace PushApi.Core.Replication;

/// <summary>The ids of the records changed in a window (Salesforce's getUpdated) and how far the answer reaches.</summary>
public sealed record UpdatedRecords(IReadOnlyList<string> Ids, DateTimeOffset LatestDateCovered);

/// <summary>No push record is ever deleted, so the deleted list is empty; what it covers is still reported.</summary>
public sealed record DeletedRecords(DateTimeOffset EarliestDateAvailable, DateTimeOffset LatestDateCovered);

/// <summary>
/// <c>sobjects/{Type}/updated</c> and <c>/deleted</c>: the records of a push object whose SystemModstamp falls in
/// [start, end), read from the object's SOQL view (docs/audit-fields-and-limits.md).
/// </summary>
public sealed class ReplicationQueries(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>Salesforce answers EXCEEDED_ID_LIMIT beyond this many ids.</summary>
    public const int MaxIds = 600_000;

    public const string ExceededIdLimit = "EXCEEDED_ID_LIMIT";

    /// <summary>The changed records' 18-character ids in id order, or null when there are more than <see cref="MaxIds"/>.</summary>
    public async Task<UpdatedRecords?> UpdatedAsync(SObjectDescriptor type, ReplicationWindow window, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var covered = await LatestDateCoveredAsync(connection, window, cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT id FROM {SObjectViews.ViewOf(type)} WHERE systemmodstamp >= $1 AND systemmodstamp < $2 ORDER BY id LIMIT {MaxIds + 1}", connection);
        command.Parameters.Add(SqlParameters.Value(window.Start));
        command.Parameters.Add(SqlParameters.Value(window.End));
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(SalesforceId.Format(type.KeyPrefix, reader.GetInt64(0)));
        }

        return ids.Count > MaxIds ? null : new UpdatedRecords(ids, covered);
    }

    /// <summary>Nothing is deleted; deletions would be known since the installation began (its first user).</summary>
    public async Task<DeletedRecords> DeletedAsync(ReplicationWindow window, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var covered = await LatestDateCoveredAsync(connection, window, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT min(created_at) FROM users", connection);
        var began = await command.ExecuteScalarAsync(cancellationToken) is DateTimeOffset first ? first : window.Start;
        return new DeletedRecords(ToMinute(began), covered);
    }

    /// <summary>
    /// The end of the window, or sooner: now, or the start of the oldest transaction still open in this database, whose
    /// writes may yet appear with earlier SystemModstamps (Salesforce does the same for long-running transactions), so a
    /// client that starts its next call here misses nothing.
    /// </summary>
    private async Task<DateTimeOffset> LatestDateCoveredAsync(NpgsqlConnection connection, ReplicationWindow window, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT min(xact_start) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND state <> 'idle'
            """, connection);
        var now = clock.Now();
        var latest = window.End < now ? window.End : now;
        if (await command.ExecuteScalarAsync(cancellationToken) is DateTimeOffset open && open < latest)
        {
            latest = open;
        }

        return ToMinute(latest < window.Start ? window.Start : latest);
    }

    private static DateTimeOffset ToMinute(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
}
