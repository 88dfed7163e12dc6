using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Push;
using PushApi.Core.Push.Status;
using PushApi.Core.Telemetry;

namespace PushApi.Core.Retention;

/// <summary>What one pass of the purge did: requests whose purge it finished, jobs it moved, errors it removed.</summary>
public sealed record RetentionPass(int RequestsFinished, long JobsMoved, long ErrorsRemoved)
{
    public static readonly RetentionPass None = new(0, 0, 0);
}

/// <summary>One batch: the request (0DV…) it took jobs of, jobs moved, errors removed, and whether that request is done.</summary>
public sealed record RetentionBatch(string RequestId, long Jobs, long Errors, bool Finished);

/// <summary>
/// Moves the jobs of push requests that ended longer ago than <see cref="RetentionOptions.Age"/> to the compact
/// history (<c>push_job_history</c>) and removes their errors, <see cref="RetentionOptions.BatchSize"/> jobs a
/// transaction. A request is enrolled once (<c>push_request_retention</c>, with its failure groups as they were);
/// every batch locks its request's enrolment row with SKIP LOCKED, so two instances purge different requests and
/// neither waits. Batches lock only the finished jobs they move: the engine's requests, jobs and claim indexes are
/// never touched. Safe to stop at any point and to run again: what is left is picked up where it was.
/// </summary>
public sealed partial class PushRetention(
    [FromKeyedServices(DatabaseWork.Maintenance)] NpgsqlDataSource dataSource, PushMeters meters, TimeProvider clock, ILogger<PushRetention> logger)
{
    /// <summary>Requests enrolled by one statement: each enrolment reads its request's failed jobs once.</summary>
    private const int EnrolledAtOnce = 10;

    private static readonly string Finished = PushStatusSql.In("r.status", [PushStatus.Succeeded, PushStatus.Failed, PushStatus.Canceled]);
    private static readonly string FinishedJob = PushStatusSql.In("j.status", [PushStatus.Succeeded, PushStatus.Failed, PushStatus.Canceled]);

    private static readonly string EnrolSql =
        $"""
        INSERT INTO push_request_retention (request_id, started_at, failure_groups)
        SELECT r.id, $2, coalesce((
            SELECT jsonb_agg(jsonb_build_object('errorType', g.error_type, 'errorTitle', g.error_title, 'count', g.n) ORDER BY g.n DESC, g.error_type, g.error_title)
            FROM (SELECT e.error_type, e.error_title, count(*) AS n FROM push_jobs j {PushFailureReport.FirstError}
                  WHERE j.request_id = r.id AND {PushStatusSql.Is("j.status", PushStatus.Failed)} GROUP BY 1, 2) g), '[]'::jsonb)
        FROM push_requests r
        WHERE {Finished} AND coalesce(r.end_time, r.system_modstamp) < $1
          AND NOT EXISTS (SELECT 1 FROM push_request_retention h WHERE h.request_id = r.id)
        ORDER BY r.id
        LIMIT $3
        ON CONFLICT (request_id) DO NOTHING
        """;

    // One statement a batch: errors first (they reference the jobs), then the jobs, copied into the history as they go.
    // A batch that finds no job left finishes the request's enrolment.
    private static readonly string BatchSql =
        $"""
        WITH target AS (
            SELECT request_id FROM push_request_retention WHERE finished_at IS NULL ORDER BY request_id LIMIT 1 FOR UPDATE SKIP LOCKED
        ), batch AS (
            SELECT j.id FROM push_jobs j JOIN target t ON j.request_id = t.request_id WHERE {FinishedJob} LIMIT $1 FOR UPDATE OF j
        ), errors AS (
            DELETE FROM push_errors e USING batch b WHERE e.job_id = b.id RETURNING 1
        ), moved AS (
            DELETE FROM push_jobs j USING batch b WHERE j.id = b.id
            RETURNING j.id, j.request_id, j.org_key, j.subscriber_organization_key, j.status, j.start_time, j.end_time, j.duration_seconds,
                      j.created_at, j.system_modstamp, j.created_by, j.last_modified_by
        ), kept AS (
            INSERT INTO push_job_history (id, request_id, org_key, subscriber_organization_key, status, start_time, end_time, duration_seconds,
                                          created_at, system_modstamp, created_by, last_modified_by)
            SELECT id, request_id, org_key, nullif(subscriber_organization_key, org_key), status, start_time, end_time, duration_seconds,
                   created_at, system_modstamp, created_by, last_modified_by
            FROM moved
            RETURNING 1
        ), counts AS (
            SELECT (SELECT count(*) FROM kept) AS jobs, (SELECT count(*) FROM errors) AS errors
        )
        UPDATE push_request_retention h
        SET jobs_moved = h.jobs_moved + c.jobs, errors_removed = h.errors_removed + c.errors, finished_at = CASE WHEN c.jobs = 0 THEN $2 END
        FROM target t, counts c
        WHERE h.request_id = t.request_id
        RETURNING h.request_id, c.jobs, c.errors, h.finished_at IS NOT NULL, h.jobs_moved, h.errors_removed
        """;

    /// <summary>
    /// Purges until nothing is due (or <paramref name="cancellationToken"/> stops it between batches): enrols the
    /// requests that ended before now minus <see cref="RetentionOptions.Age"/>, then moves their jobs batch by batch.
    /// </summary>
    public async Task<RetentionPass> RunAsync(RetentionOptions settings, CancellationToken cancellationToken = default)
    {
        if (!settings.Enabled)
        {
            return RetentionPass.None;
        }

        var cutoff = clock.GetUtcNow() - settings.Age;
        var pass = RetentionPass.None;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await MoveBatchAsync(settings.BatchSize, cancellationToken) is { } batch)
            {
                pass = new RetentionPass(pass.RequestsFinished + (batch.Finished ? 1 : 0), pass.JobsMoved + batch.Jobs, pass.ErrorsRemoved + batch.Errors);
                continue;
            }

            if (await EnrolAsync(cutoff, cancellationToken) == 0)
            {
                break;
            }
        }

        if (pass.JobsMoved > 0 || pass.RequestsFinished > 0)
        {
            LogPass(pass.RequestsFinished, pass.JobsMoved, pass.ErrorsRemoved, cutoff, settings.Age.TotalDays);
        }

        return pass;
    }

    /// <summary>Enrols up to ten finished requests that ended before <paramref name="cutoff"/> and are not enrolled yet; returns how many.</summary>
    public async Task<int> EnrolAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(EnrolSql);
        command.Parameters.Add(SqlParameters.Value(cutoff));
        command.Parameters.Add(SqlParameters.Value(clock.GetUtcNow()));
        command.Parameters.Add(SqlParameters.Value(EnrolledAtOnce));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One batch of one enrolled request no other purger holds; null when there is none.</summary>
    public async Task<RetentionBatch?> MoveBatchAsync(int batchSize, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(BatchSql);
        command.Parameters.Add(SqlParameters.Value(batchSize));
        command.Parameters.Add(SqlParameters.Value(clock.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var batch = new RetentionBatch(SalesforceId.Format(KeyPrefixes.PackagePushRequest, reader.GetInt64(0)), reader.GetInt64(1), reader.GetInt64(2), reader.GetBoolean(3));
        meters.Retained(batch.Jobs, batch.Errors);
        if (batch.Finished)
        {
            LogRequestPurged(batch.RequestId, reader.GetInt64(4), reader.GetInt64(5));
        }

        return batch;
    }

    [LoggerMessage(EventId = 3101, EventName = "RetentionRequestPurged", Level = LogLevel.Information,
        Message = "Retention: push request {RequestId} purged: {Jobs} jobs moved to the history, {Errors} errors removed; its counts stay on the request.")]
    private partial void LogRequestPurged(string requestId, long jobs, long errors);

    [LoggerMessage(EventId = 3102, EventName = "RetentionPass", Level = LogLevel.Information,
        Message = "Retention: {Requests} push requests finished, {Jobs} jobs moved to the history and {Errors} errors removed (requests that ended before {Cutoff:o}, {Days} days).")]
    private partial void LogPass(int requests, long jobs, long errors, DateTimeOffset cutoff, double days);
}
