using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;
using PushApi.Core.Persistence;

namespace PushApi.Core.Bulk;

/// <summary>
/// Processes closed (UploadComplete) ingest jobs: each staged chunk of 10,000 records goes through the
/// DML service in one transaction that also writes the chunk's results, so a crash or restart loses
/// nothing and creates nothing twice; processing resumes with the first unprocessed chunk. One instance processes a job at a time (a session advisory lock, released if the
/// instance dies); an abort takes effect at the next chunk.
/// </summary>
public sealed class BulkIngestProcessor([FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource, DmlService dml, TimeProvider clock, Telemetry.PushMeters meters, ILogger<BulkIngestProcessor> logger) : IDisposable
{
    /// <summary>Jobs one instance processes at once.</summary>
    public const int MaxConcurrentJobs = 4;

    /// <summary>Finished jobs (and their data) are kept this long, as on Salesforce.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    // Advisory lock keys of ingest jobs: this base plus the job number.
    private const long LockBase = 0x0750_0000_0000_0000;

    private readonly ConcurrentDictionary<long, Task> _running = new();
    private readonly SemaphoreSlim _wake = new(0);

    public void Dispose() => _wake.Dispose();

    /// <summary>
    /// Runs until <paramref name="stoppingToken"/> is canceled: picks up every job waiting to be
    /// processed (also those a stopped instance left), when woken by <see cref="Start"/> or every few seconds.
    /// </summary>
    public async Task RunAsync(TimeSpan pollInterval, CancellationToken stoppingToken)
    {
        var lastCleanup = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var number in await WaitingJobsAsync(stoppingToken))
                {
                    if (_running.Count >= MaxConcurrentJobs)
                    {
                        break;
                    }

                    Launch(number, stoppingToken);
                }

                if (clock.GetUtcNow() - lastCleanup > TimeSpan.FromHours(1))
                {
                    await DeleteExpiredAsync(stoppingToken);
                    lastCleanup = clock.GetUtcNow();
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Bulk ingest: could not look for waiting jobs ({Reason}); trying again shortly.", e.Message);
            }

            try
            {
                await _wake.WaitAsync(pollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await Task.WhenAll(_running.Values);
    }

    /// <summary>Starts processing a job now (it was just closed); the background loop would find it too.</summary>
    public void Start(long number, CancellationToken stoppingToken)
    {
        if (_running.Count < MaxConcurrentJobs)
        {
            Launch(number, stoppingToken);
        }
        else
        {
            _wake.Release();
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for this instance's processing of a job to end.</summary>
    public async Task WaitAsync(long number, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_running.TryGetValue(number, out var task))
        {
            try
            {
                await task.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Still working: the caller answers with the job's state so far.
            }
        }
    }

    /// <summary>Processes one job to its end, unless another instance holds it; false when it did not.</summary>
    public async Task<bool> ProcessAsync(long number, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await TryLockAsync(connection, number, cancellationToken))
        {
            return false;
        }

        try
        {
            var job = await StartAsync(connection, number, cancellationToken);
            if (job is null)
            {
                return true;
            }

            await ProcessChunksAsync(connection, number, job.Value.Columns, job.Value.CreatedBy, cancellationToken);
            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not NpgsqlException { IsTransient: true } && e is not TimeoutException)
        {
            logger.LogError(e, "Bulk ingest job {Job} failed", number);
            await FailAsync(number, "Processing stopped by an internal error; the rows not yet processed are listed by unprocessedrecords.", cancellationToken);
            return true;
        }
        finally
        {
            await UnlockAsync(connection, number);
        }
    }

    private void Launch(long number, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        if (!_running.TryAdd(number, started.Task))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(number, stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or NpgsqlException or TimeoutException)
            {
                // Stopping, or the database went away: the job is still waiting and is resumed later.
                if (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning("Bulk ingest job {Job} paused ({Reason}); it resumes shortly.", number, e.Message);
                }
            }
            finally
            {
                _running.TryRemove(number, out _);
                started.TrySetResult();
            }
        }, CancellationToken.None);
    }

    private async Task<List<long>> WaitingJobsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id FROM bulk_ingest_jobs WHERE state IN ('UploadComplete', 'InProgress') ORDER BY id LIMIT 100");
        var numbers = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var number = reader.GetInt64(0);
            if (!_running.ContainsKey(number))
            {
                numbers.Add(number);
            }
        }

        return numbers;
    }

    private static async Task UnlockAsync(NpgsqlConnection connection, long number)
    {
        try
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockBase} + $1)", connection);
            unlock.Parameters.Add(new NpgsqlParameter { Value = number });
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // The connection broke: closing it releases the lock anyway.
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, long number, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockBase} + $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Marks a waiting job InProgress; null when it is no longer waiting (done, aborted, deleted).</summary>
    private async Task<(string[] Columns, long CreatedBy)?> StartAsync(NpgsqlConnection connection, long number, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            UPDATE bulk_ingest_jobs SET state = 'InProgress', system_modstamp = $2
            WHERE id = $1 AND state IN ('UploadComplete', 'InProgress')
            RETURNING coalesce(columns, '{}'), created_by
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetFieldValue<string[]>(0), reader.GetInt64(1)) : null;
    }

    /// <summary>
    /// Processes the job's chunks in order, each in its own transaction, until the job ends; the next chunk is read and
    /// parsed (<see cref="BulkIngestChunks"/>) while the one in hand is written.
    /// </summary>
    private async Task ProcessChunksAsync(NpgsqlConnection connection, long number, string[] columns, long userId, CancellationToken cancellationToken)
    {
        var next = BulkIngestChunks.PrepareNextAsync(dataSource, number, -1, columns, cancellationToken);
        var added = 0L;
        try
        {
            while (true)
            {
                var chunk = await next;
                if (chunk is not null)
                {
                    next = BulkIngestChunks.PrepareNextAsync(dataSource, number, chunk.Chunk.Number, columns, cancellationToken);
                }
                else
                {
                    // Every row is in: the planner learns of the new jobs before the client hears the job is complete.
                    await PlannerStatistics.RefreshJobsAsync(connection, added, cancellationToken);
                }

                if (await ProcessChunkAsync(connection, number, chunk, userId, cancellationToken) is not { } created || chunk is null)
                {
                    return;
                }

                added += created;
            }
        }
        finally
        {
            // A read ahead that is no longer wanted (the job ended or failed) is let finish, its outcome ignored.
            await next.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Writes one prepared chunk and its results in one transaction; with no chunk left (<paramref name="prepared"/> null),
    /// completes the job. Returns the jobs the chunk created; null when the job is complete or no longer in progress (aborted or gone).
    /// </summary>
    private async Task<int?> ProcessChunkAsync(NpgsqlConnection connection, long number, PreparedChunk? prepared, long userId, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var type = SObjectCatalog.PackagePushJob;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await IsInProgressAsync(connection, number, cancellationToken))
        {
            return null;
        }

        if (prepared is null)
        {
            await using var finish = new NpgsqlCommand("UPDATE bulk_ingest_jobs SET state = 'JobComplete', system_modstamp = $2 WHERE id = $1", connection);
            finish.Parameters.Add(new NpgsqlParameter { Value = number });
            finish.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
            await finish.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        var (chunk, records, recordRows, errors) = prepared;
        var ids = new long?[chunk.Counts.Length];
        var results = records.Count == 0 ? [] : await dml.CreateInTransactionAsync(connection, records, allOrNone: false, userId, cancellationToken);
        var created = watch.ElapsedMilliseconds;
        for (var r = 0; r < results.Count; r++)
        {
            var row = recordRows[r];
            if (results[r].Success)
            {
                ids[row] = Ids.SalesforceId.TryParseNumber(results[r].Id, type.KeyPrefix, out var id) ? id : null;
            }
            else
            {
                errors[row] = Format(results[r].Errors);
            }
        }

        await SaveResultsAsync(connection, number, chunk, ids, errors, watch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        var failed = errors.Count(e => e is not null);
        meters.BulkRows("ingest", "processed", errors.Length - failed);
        meters.BulkRows("ingest", "failed", failed);
        logger.LogDebug("Bulk ingest job {Job}: {Rows} rows in {Total} ms (DML {Dml} ms, results {Results} ms)",
            number, chunk.Counts.Length, watch.ElapsedMilliseconds, created, watch.ElapsedMilliseconds - created);
        return results.Count(r => r.Success);
    }

    /// <summary>
    /// Locks the job row, so an abort or a delete waits for the chunk in hand. The chunk's statements run without JIT:
    /// their 10,000-row arrays pass its cost threshold, and compiling took a quarter of the eligibility read of each chunk.
    /// </summary>
    private static async Task<bool> IsInProgressAsync(NpgsqlConnection connection, long number, CancellationToken cancellationToken)
    {
        await using var check = new NpgsqlBatch(connection)
        {
            BatchCommands = { new NpgsqlBatchCommand("SET LOCAL jit = off"), new NpgsqlBatchCommand("SELECT state FROM bulk_ingest_jobs WHERE id = $1 FOR NO KEY UPDATE") },
        };
        check.BatchCommands[1].Parameters.Add(new NpgsqlParameter { Value = number });
        return await check.ExecuteScalarAsync(cancellationToken) is IngestStates.InProgress;
    }

    /// <summary>Stores the chunk's results and adds them to the job's totals, in the chunk's transaction.</summary>
    private async Task SaveResultsAsync(NpgsqlConnection connection, long number, StagedChunk chunk, long?[] ids, string?[] errors, Stopwatch watch, CancellationToken cancellationToken)
    {
        var failed = errors.Count(e => e is not null);
        await using var update = new NpgsqlBatch(connection);
        var setResults = new NpgsqlBatchCommand("UPDATE bulk_ingest_chunks SET record_ids = $3, errors = $4 WHERE job_id = $1 AND chunk_no = $2");
        setResults.Parameters.Add(new NpgsqlParameter { Value = number });
        setResults.Parameters.Add(new NpgsqlParameter { Value = chunk.Number });
        setResults.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        setResults.Parameters.Add(new NpgsqlParameter { Value = errors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        update.BatchCommands.Add(setResults);
        var totals = new NpgsqlBatchCommand(
            """
            UPDATE bulk_ingest_jobs SET records_processed = records_processed + $2, records_failed = records_failed + $3,
                processing_ms = processing_ms + $4, system_modstamp = $5
            WHERE id = $1
            """);
        totals.Parameters.Add(new NpgsqlParameter { Value = number });
        totals.Parameters.Add(new NpgsqlParameter { Value = chunk.Counts.Length });
        totals.Parameters.Add(new NpgsqlParameter { Value = failed });
        totals.Parameters.Add(new NpgsqlParameter { Value = watch.ElapsedMilliseconds });
        totals.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        update.BatchCommands.Add(totals);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task FailAsync(long number, string message, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE bulk_ingest_jobs SET state = 'Failed', error_message = $2, system_modstamp = $3 WHERE id = $1 AND state IN ('UploadComplete', 'InProgress')");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        command.Parameters.Add(new NpgsqlParameter { Value = message });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task DeleteExpiredAsync(CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var sql in new[]
        {
            "DELETE FROM bulk_ingest_jobs WHERE system_modstamp < $1 AND state <> 'InProgress'",
            "DELETE FROM bulk_query_jobs WHERE system_modstamp < $1",
            "DELETE FROM bulk2_query_jobs WHERE system_modstamp < $1",
        })
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() - Retention });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A row's <c>sf__Error</c>: <c>STATUS_CODE:message:fields --</c>, errors joined by <c>;</c>.</summary>
    public static string Format(IReadOnlyList<SaveError> errors) =>
        string.Join(';', errors.Select(e => $"{e.StatusCode}:{e.Message}:{string.Join(',', e.Fields)} --"));
}
