using Npgsql;

namespace PushApi.Core.Persistence;

/// <summary>
/// Fresh planner statistics for <c>push_jobs</c> once a large batch of jobs is committed (a Bulk ingest job's rows, a
/// deployment's insert), instead of whenever autovacuum next analyses the table (after a tenth of it changed, within a
/// minute). Until then the planner knows nothing of the new request's jobs: it expected 1,283 rows where a request had
/// 100,000 and paged them by reading and sorting every remaining one (a page of 2,001: 83 ms, and up to 432 ms in the
/// benchmark's full run), where with fresh statistics it reads the primary key in order (2.6 ms). An <c>ANALYZE</c>
/// samples a fixed number of rows whatever the table's size, and takes no lock that writers wait for. It does take the
/// lock an autovacuum of the table holds, and PostgreSQL cancels an autovacuum that makes another session wait for it:
/// an ANALYZE after every large batch cancelled each vacuum of push_jobs under way (one takes 15 s or more at a million
/// jobs), its dead rows piled up (1.2 million beside 1.6 million live in the benchmark) and pushes slowed. So the
/// ANALYZE is skipped while a vacuum or another ANALYZE holds the table; the vacuum then analyses it when due.
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
            // NOWAIT: never queue behind a vacuum (the wait is what gets it cancelled); ANALYZE may run in the transaction.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE push_jobs IN SHARE UPDATE EXCLUSIVE MODE NOWAIT", connection, transaction))
            {
                await lockTable.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var analyze = new NpgsqlCommand("ANALYZE push_jobs", connection, transaction))
            {
                await analyze.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // Also lock_not_available (55P03): a vacuum or another session's ANALYZE has the table.
            return false;
        }
    }
}
