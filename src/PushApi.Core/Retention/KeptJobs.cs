namespace PushApi.Core.Retention;

/// <summary>
/// Every job wherever it is kept: in the engine's table, or in the compact history once retention moved it. Readers
/// that show a request's jobs (a deployment's job list, one job) read this instead of <c>push_jobs</c>, so an old
/// deployment still lists its jobs; a moved job has no maintenance-window mark and no errors.
/// </summary>
public static class KeptJobs
{
    /// <summary>A subquery with the columns id, request_id, org_key, status, start_time, end_time, duration_seconds, window_opens_at.</summary>
    public const string Sql =
        """
        (SELECT id, request_id, org_key, status, start_time, end_time, duration_seconds, window_opens_at FROM push_jobs
         UNION ALL
         SELECT id, request_id, org_key, status, start_time, end_time, duration_seconds, NULL::timestamptz FROM push_job_history)
        """;
}
