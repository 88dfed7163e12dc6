using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Formats;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Soql;

namespace PushApi.Core.Bulk;

/// <summary>A Bulk API 1.0 job with its batch counts.</summary>
public sealed record QueryJob(
    long Number,
    string ObjectName,
    string Operation,
    string State,
    string ContentType,
    string ApiVersion,
    long CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset SystemModstamp,
    int BatchesQueued,
    int BatchesInProgress,
    int BatchesCompleted,
    int BatchesFailed,
    int BatchesNotProcessed,
    int RecordsProcessed,
    long ProcessingMs)
{
    public string Id => SalesforceId.Format(KeyPrefixes.BulkJob, Number);

    public int BatchesTotal => BatchesQueued + BatchesInProgress + BatchesCompleted + BatchesFailed + BatchesNotProcessed;
}

/// <summary>A Bulk API 1.0 query batch.</summary>
public sealed record QueryBatch(long Number, long JobNumber, string State, string? StateMessage, int RecordsProcessed, long ProcessingMs, DateTimeOffset CreatedAt, DateTimeOffset SystemModstamp)
{
    public string Id => SalesforceId.Format(KeyPrefixes.BulkBatch, Number);

    public string JobId => SalesforceId.Format(KeyPrefixes.BulkJob, JobNumber);

    public string ResultId => SalesforceId.Format(KeyPrefixes.BulkResult, Number);
}

/// <summary>
/// Bulk API 1.0 query jobs (what CumulusCI's <c>push_all</c> reads subscribers with): a job names the
/// object, each batch is a SOQL statement run through the SOQL engine when it is added, and its
/// result is the CSV it produced, kept with the batch.
/// </summary>
public sealed class BulkQueryJobs([FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource, SoqlEngine soql, TimeProvider clock, Telemetry.PushMeters meters)
{
    /// <summary>The header of an empty result, as Salesforce writes it.</summary>
    public const string NoRecords = "Records not found for this query";

    private const string JobColumns =
        """
        j.id, j.object, j.operation, j.state, j.content_type, j.api_version, j.created_by, j.created_at, j.system_modstamp,
        count(b.id) FILTER (WHERE b.state = 'Queued')::int, count(b.id) FILTER (WHERE b.state = 'InProgress')::int,
        count(b.id) FILTER (WHERE b.state = 'Completed')::int, count(b.id) FILTER (WHERE b.state = 'Failed')::int,
        count(b.id) FILTER (WHERE b.state = 'Not Processed')::int, coalesce(sum(b.records_processed), 0)::int, coalesce(sum(b.processing_ms), 0)::bigint
        """;

    private const string BatchColumns = "id, job_id, state, state_message, records_processed, processing_ms, created_at, system_modstamp";

    public async Task<QueryJob> CreateJobAsync(string? operation, string? objectName, string? contentType, string apiVersion, long userId, CancellationToken cancellationToken)
    {
        if (operation is not ("query" or "queryAll"))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidJob",
                $"Operation '{operation}' is not supported: this service answers Bulk API 1.0 query and queryAll jobs (use the REST, SOAP or Bulk API 2.0 to write).");
        }

        var type = (string.IsNullOrWhiteSpace(objectName) ? null : SObjectCatalog.Find(objectName.Trim()))
            ?? throw new BulkException(BulkErrorKind.BadRequest, "InvalidJob", $"Unable to find object: {objectName}");
        contentType = string.IsNullOrWhiteSpace(contentType) ? "CSV" : contentType.Trim();
        if (contentType != "CSV")
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidJob", $"Content type '{contentType}' is not supported for query jobs here; use CSV.");
        }

        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO bulk_query_jobs (object, operation, state, content_type, api_version, created_by, created_at, system_modstamp)
            VALUES ($1, $2, 'Open', $3, $4, $5, $6, $6) RETURNING id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = type.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = operation });
        command.Parameters.Add(new NpgsqlParameter { Value = contentType });
        command.Parameters.Add(new NpgsqlParameter { Value = apiVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        var number = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return await GetJobAsync(SalesforceId.Format(KeyPrefixes.BulkJob, number), cancellationToken);
    }

    public async Task<QueryJob> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var number = ParseJobId(jobId);
        await using var command = dataSource.CreateCommand(
            $"SELECT {JobColumns} FROM bulk_query_jobs j LEFT JOIN bulk_query_batches b ON b.job_id = j.id WHERE j.id = $1 GROUP BY j.id");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw JobNotFound(jobId);
        }

        return new QueryJob(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            reader.GetInt64(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8),
            reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt32(13), reader.GetInt32(14), reader.GetInt64(15));
    }

    /// <summary>Closes (<c>Closed</c>) or aborts (<c>Aborted</c>) an Open job.</summary>
    public async Task<QueryJob> SetStateAsync(string jobId, string? state, CancellationToken cancellationToken)
    {
        if (state is not ("Closed" or "Aborted"))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidJobState", $"Invalid state '{state}': a job can be set to Closed or Aborted.");
        }

        var number = ParseJobId(jobId);
        await using var command = dataSource.CreateCommand(
            """
            WITH current AS (SELECT id, state FROM bulk_query_jobs WHERE id = $1 FOR UPDATE),
            changed AS (UPDATE bulk_query_jobs j SET state = $2, system_modstamp = $3 FROM current WHERE j.id = current.id AND current.state = 'Open' RETURNING j.id)
            SELECT current.state, EXISTS (SELECT 1 FROM changed) FROM current
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        command.Parameters.Add(new NpgsqlParameter { Value = state });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw JobNotFound(jobId);
            }

            if (!reader.GetBoolean(1) && reader.GetString(0) != state)
            {
                throw new BulkException(BulkErrorKind.BadRequest, "InvalidJobState", $"Job {jobId} is {reader.GetString(0)}; only an Open job can be set to {state}.");
            }
        }

        return await GetJobAsync(jobId, cancellationToken);
    }

    /// <summary>
    /// Adds a batch: runs its SOQL (which must query the job's object) and keeps the CSV it produced.
    /// A statement that cannot run makes a Failed batch with the reason as its state message.
    /// </summary>
    public async Task<QueryBatch> AddBatchAsync(string jobId, string statement, SoqlCaller caller, CancellationToken cancellationToken)
    {
        var job = await GetJobAsync(jobId, cancellationToken);
        if (job.State != "Open")
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidJobState", $"Job {jobId} is {job.State}; batches can only be added to an Open job.");
        }

        if (string.IsNullOrWhiteSpace(statement))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidBatch", "The batch is empty; send the SOQL statement as the request body.");
        }

        var watch = Stopwatch.StartNew();
        string state = "Completed";
        string? message = null;
        byte[]? result = null;
        var count = 0;
        try
        {
            (result, count) = await RunAsync(job, statement, caller, cancellationToken);
            meters.BulkRows("query", "returned", count);
        }
        catch (SoqlException e)
        {
            state = "Failed";
            message = $"{(e.ErrorCode == "FeatureNotEnabled" ? "FeatureNotEnabled" : "InvalidBatch")} : Failed to process query: {e.ErrorCode}: {e.Message}";
        }

        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO bulk_query_batches (job_id, state, state_message, soql, records_processed, result, processing_ms, created_at, system_modstamp)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {BatchColumns}
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = job.Number });
        command.Parameters.Add(new NpgsqlParameter { Value = state });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)message ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = statement.Replace('\0', '\uFFFD') }); // kept as sent, but no text holds a NUL
        command.Parameters.Add(new NpgsqlParameter { Value = count });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)result ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = watch.ElapsedMilliseconds });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ReadBatch(reader);
    }

    public async Task<IReadOnlyList<QueryBatch>> ListBatchesAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await GetJobAsync(jobId, cancellationToken);
        await using var command = dataSource.CreateCommand($"SELECT {BatchColumns} FROM bulk_query_batches WHERE job_id = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = job.Number });
        var batches = new List<QueryBatch>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            batches.Add(ReadBatch(reader));
        }

        return batches;
    }

    public async Task<QueryBatch> GetBatchAsync(string jobId, string batchId, CancellationToken cancellationToken)
    {
        var jobNumber = ParseJobId(jobId);
        if (!SalesforceId.TryParseNumber(batchId, KeyPrefixes.BulkBatch, out var number))
        {
            throw BatchNotFound(batchId);
        }

        await using var command = dataSource.CreateCommand($"SELECT {BatchColumns} FROM bulk_query_batches WHERE id = $1 AND job_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        command.Parameters.Add(new NpgsqlParameter { Value = jobNumber });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadBatch(reader) : throw BatchNotFound(batchId);
    }

    /// <summary>A batch that has a result (it completed); any other is an <c>InvalidBatch</c> error.</summary>
    public async Task<QueryBatch> GetCompletedBatchAsync(string jobId, string batchId, CancellationToken cancellationToken)
    {
        var batch = await GetBatchAsync(jobId, batchId, cancellationToken);
        return batch.State == "Completed"
            ? batch
            : throw new BulkException(BulkErrorKind.BadRequest, "InvalidBatch", $"Batch {batchId} is {batch.State}; it has no result.");
    }

    /// <summary>The CSV of a completed batch's result.</summary>
    public async Task<byte[]> GetResultAsync(string jobId, string batchId, string resultId, CancellationToken cancellationToken)
    {
        var batch = await GetCompletedBatchAsync(jobId, batchId, cancellationToken);

        if (!string.Equals(resultId, batch.ResultId, StringComparison.Ordinal) && !string.Equals(resultId, batch.ResultId[..15], StringComparison.Ordinal))
        {
            throw new BulkException(BulkErrorKind.NotFound, "InvalidBatch", $"Result {resultId} is not a result of batch {batchId}.");
        }

        await using var command = dataSource.CreateCommand("SELECT result FROM bulk_query_batches WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = batch.Number });
        return (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<(byte[] Csv, int Count)> RunAsync(QueryJob job, string statement, SoqlCaller caller, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using var writer = new StreamWriter(buffer, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        var line = new StringBuilder();
        var headerWritten = false;
        var count = await soql.ReadAllAsync(statement, job.ObjectName, caller, async (columns, record) =>
        {
            if (!headerWritten)
            {
                await WriteHeaderAsync(writer, columns, line);
                headerWritten = true;
            }

            line.Clear();
            for (var i = 0; i < columns.Count; i++)
            {
                if (i > 0)
                {
                    line.Append(',');
                }

                Csv.AppendQuoted(line, CsvPage.FormatValue(Navigate(record, columns[i])));
            }

            await writer.WriteAsync(line.Append('\n'), cancellationToken);
        }, cancellationToken);
        if (count == 0)
        {
            await writer.WriteAsync(NoRecords);
        }

        await writer.FlushAsync(cancellationToken);
        return (buffer.ToArray(), count);
    }

    private static async Task WriteHeaderAsync(StreamWriter writer, IReadOnlyList<string> columns, StringBuilder line)
    {
        line.Clear();
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            Csv.AppendQuoted(line, columns[i]);
        }

        await writer.WriteAsync(line.Append('\n'));
    }

    private static object? Navigate(SoqlRecord record, string path)
    {
        object? current = record;
        foreach (var part in path.Split('.'))
        {
            current = current is SoqlRecord r ? r[part] : null;
        }

        return current;
    }

    private static long ParseJobId(string jobId) =>
        SalesforceId.TryParseNumber(jobId, KeyPrefixes.BulkJob, out var number) ? number : throw JobNotFound(jobId);

    private static BulkException JobNotFound(string jobId) => new(BulkErrorKind.BadRequest, "InvalidJob", $"Invalid job id: {jobId}");

    private static BulkException BatchNotFound(string batchId) => new(BulkErrorKind.BadRequest, "InvalidBatch", $"Invalid batch id: {batchId}");

    private static QueryBatch ReadBatch(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetInt32(4), reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetFieldValue<DateTimeOffset>(7));
}
