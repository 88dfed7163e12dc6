using Npgsql;

namespace PushApi.Core.Persistence;

/// <summary>
/// Fresh planner statistics for <c>push_jobs</c> once a large batch of jobs is committed (a Bulk ingest job's rows, a
/// deployment's insert), instead of whenever autovacuum next analyses the table (after a tenth of it changed, within a
/// minute). Until then the planner knows nothing of the new request's jobs: it expected 1,283 rows where a request had
/// 100,000 and paged them by reading and sorting every remaining one (a page of 2,001: 83 ms, and up to 432 ms in the
/// benchmark's full run), where with fresh statistics it reads the primary key in order (2.6 ms). An <c>ANALYZE</c>
/// samples a fixed number of rows whatever the table's size, and takes no lock that writers wait for.
/// </summary>
public static class PlannerStatistics
{
    /// <summary>Fewer jobs than this in one batch leave the statistics to autovacuum.</summary>
    public const long JobsThreshold = 10_000;

    /// <summary>
    /// Analyses <c>push_jobs</c> when <paramref name="jobsAdded"/> (committed, on <paramref name="connection"/> outside a
    /// transaction) reach <see cref="JobsThreshold"/>; true when it did. The jobs are written already, so a failure here
    /// (a statement timeout, the database going away) fails nothing: autovacuum analyses the table later anyway.
    /// </summary>
    public static async Task<bool> RefreshJobsAsync(NpgsqlConnection connection, long jobsAdded, CancellationToken cancellationToken)
    {
        if (jobsAdded < JobsThreshold)
        {
            return false;
        }

        try
        {
            await using var command = new NpgsqlCommand("ANALYZE push_jobs", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
