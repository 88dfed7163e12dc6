using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;

namespace PushApi.Core.Bulk;

/// <summary>The states of a Bulk API 2.0 ingest job.</summary>
public static class IngestStates
{
    public const string Open = "Open";
    public const string UploadComplete = "UploadComplete";
    public const string InProgress = "InProgress";
    public const string JobComplete = "JobComplete";
    public const string Failed = "Failed";
    public const string Aborted = "Aborted";

    public static bool IsFinished(string state) => state is JobComplete or Failed or Aborted;
}

/// <summary>A Bulk API 2.0 ingest job as its clients see it.</summary>
public sealed record IngestJob(
    long Number,
    string ObjectName,
    string Operation,
    string State,
    string ColumnDelimiter,
    string LineEnding,
    string ApiVersion,
    long CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset SystemModstamp,
    int RecordsProcessed,
    int RecordsFailed,
    string? ErrorMessage,
    long ProcessingMs)
{
    public string Id => SalesforceId.Format(KeyPrefixes.BulkJob, Number);
}

/// <summary>
/// Who asks about an ingest job: a job belongs to the user who created it; an admin (<paramref name="SeesAll"/>)
/// sees and acts on every job. Anyone else's job is answered as not found, as if it did not exist.
/// </summary>
public readonly record struct BulkCaller(long UserId, bool SeesAll);

/// <summary>
/// Bulk API 2.0 ingest jobs: create, upload (one CSV per job, parsed as it streams in and stored
/// 10,000 records to a row of a staging table: <see cref="BulkIngestUpload"/>), close or abort, read, list, delete,
/// and the three result files (<see cref="BulkIngestResultFile"/>). Processing is done by <see cref="BulkIngestProcessor"/>.
/// </summary>
public sealed class BulkIngestJobs([FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>The largest upload a job takes (bytes of CSV).</summary>
    public const long MaxUploadBytes = 100L * 1024 * 1024;

    /// <summary>Records stored (and processed) together.</summary>
    public const int ChunkSize = 10_000;

    /// <summary>Jobs a list page holds.</summary>
    public const int ListPageSize = 1000;

    private const string Columns =
        "id, object, operation, state, column_delimiter, line_ending, api_version, created_by, created_at, system_modstamp, records_processed, records_failed, error_message, processing_ms";

    /// <summary>Creates an Open job; only <c>insert</c> of PackagePushJob is served.</summary>
    public async Task<IngestJob> CreateAsync(string? objectName, string? operation, string? contentType, string? columnDelimiter, string? lineEnding, string apiVersion, long userId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(objectName))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", "The job needs an object: {\"object\": \"PackagePushJob\", \"operation\": \"insert\"}.");
        }

        var type = SObjectCatalog.Find(objectName.Trim())
            ?? throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Unable to find object: {objectName.Trim()}");
        if (type != SObjectCatalog.PackagePushJob)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB",
                $"Entity '{type.Name}' is not supported by the Bulk API 2.0 here: it ingests PackagePushJob records only (create a PackagePushRequest with the REST or SOAP API).");
        }

        if (string.IsNullOrWhiteSpace(operation))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", "The job needs an operation; PackagePushJob supports insert.");
        }

        if (!string.Equals(operation.Trim(), "insert", StringComparison.Ordinal))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB",
                $"Operation '{operation.Trim()}' is not supported for PackagePushJob: push jobs can only be inserted (a job cannot be changed or deleted by a client).");
        }

        if (contentType is not null && !string.Equals(contentType, "CSV", StringComparison.Ordinal))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Content type '{contentType}' is not supported; the Bulk API 2.0 takes CSV.");
        }

        columnDelimiter ??= "COMMA";
        if (!BulkCsv.Delimiters.ContainsKey(columnDelimiter))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Invalid columnDelimiter '{columnDelimiter}'; use one of {string.Join(", ", BulkCsv.Delimiters.Keys)}.");
        }

        lineEnding ??= "LF";
        if (!BulkCsv.LineEndings.ContainsKey(lineEnding))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Invalid lineEnding '{lineEnding}'; use LF or CRLF.");
        }

        var now = clock.Now();
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO bulk_ingest_jobs (object, operation, state, column_delimiter, line_ending, api_version, created_by, created_at, system_modstamp)
            VALUES ($1, 'insert', 'Open', $2, $3, $4, $5, $6, $6)
            RETURNING {Columns}
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = type.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = columnDelimiter });
        command.Parameters.Add(new NpgsqlParameter { Value = lineEnding });
        command.Parameters.Add(new NpgsqlParameter { Value = apiVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>The job named by <paramref name="id"/> (750…), or a NOT_FOUND error.</summary>
    public async Task<IngestJob> GetAsync(string id, BulkCaller caller, CancellationToken cancellationToken)
    {
        var number = ParseId(id);
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM bulk_ingest_jobs WHERE id = $1 AND {Visible}");
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        AddCaller(command, caller);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : throw NotFound();
    }

    /// <summary>A page of jobs in creation order, after the job <paramref name="after"/> (the list's query locator).</summary>
    public async Task<(IReadOnlyList<IngestJob> Jobs, bool More)> ListAsync(long after, BulkCaller caller, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM bulk_ingest_jobs WHERE id > $1 AND {Visible} ORDER BY id LIMIT $4");
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        AddCaller(command, caller);
        command.Parameters.Add(new NpgsqlParameter { Value = ListPageSize + 1 });
        var jobs = new List<IngestJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(Read(reader));
        }

        var more = jobs.Count > ListPageSize;
        return (more ? jobs[..ListPageSize] : jobs, more);
    }

    /// <summary>
    /// Stores the job's CSV: a header naming createable fields of the object, then a row per record.
    /// One upload per job, while it is Open; all or nothing.
    /// </summary>
    /// <returns>The number of rows stored.</returns>
    public async Task<int> UploadAsync(string id, BulkCaller caller, Stream body, CancellationToken cancellationToken) =>
        await BulkIngestUpload.StoreAsync(dataSource, clock, ParseId(id), caller, body, cancellationToken);

    /// <summary>
    /// A client's state change: <c>UploadComplete</c> closes an Open job for processing,
    /// <c>Aborted</c> stops a job that has not finished (rows not yet processed stay unprocessed).
    /// </summary>
    public async Task<IngestJob> SetStateAsync(string id, BulkCaller caller, string? requested, CancellationToken cancellationToken)
    {
        var number = ParseId(id);
        var allowedFrom = requested switch
        {
            IngestStates.UploadComplete => new[] { IngestStates.Open },
            IngestStates.Aborted => [IngestStates.Open, IngestStates.UploadComplete, IngestStates.InProgress],
            _ => throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE",
                $"Invalid state '{requested}': a client can set a job's state to UploadComplete or Aborted only."),
        };
        await using var command = dataSource.CreateCommand(
            $"""
            WITH current AS (SELECT id, state FROM bulk_ingest_jobs WHERE id = $1 AND {Visible} FOR UPDATE),
            changed AS (
                UPDATE bulk_ingest_jobs j SET state = $4, system_modstamp = $6
                FROM current WHERE j.id = current.id AND current.state = ANY($5)
                RETURNING j.id
            )
            SELECT current.state, EXISTS (SELECT 1 FROM changed) FROM current
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        AddCaller(command, caller);
        command.Parameters.Add(new NpgsqlParameter { Value = requested });
        command.Parameters.Add(new NpgsqlParameter { Value = allowedFrom });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw NotFound();
            }

            if (!reader.GetBoolean(1))
            {
                throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE",
                    $"Job {SalesforceId.Format(KeyPrefixes.BulkJob, number)} is {reader.GetString(0)}; it can be set to {requested} only from {string.Join(" or ", allowedFrom)}.");
            }
        }

        return await GetAsync(id, caller, cancellationToken);
    }

    /// <summary>Deletes a job and its data; a job being processed must be aborted first.</summary>
    public async Task DeleteAsync(string id, BulkCaller caller, CancellationToken cancellationToken)
    {
        var number = ParseId(id);
        await using var command = dataSource.CreateCommand(
            $"""
            WITH current AS (SELECT id, state FROM bulk_ingest_jobs WHERE id = $1 AND {Visible} FOR UPDATE),
            deleted AS (DELETE FROM bulk_ingest_jobs j USING current WHERE j.id = current.id AND current.state <> 'InProgress' RETURNING j.id)
            SELECT current.state, EXISTS (SELECT 1 FROM deleted) FROM current
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        AddCaller(command, caller);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw NotFound();
        }

        if (!reader.GetBoolean(1))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE",
                $"Job {SalesforceId.Format(KeyPrefixes.BulkJob, number)} is being processed; abort it (PATCH {{\"state\": \"Aborted\"}}) before deleting it.");
        }
    }

    /// <summary>
    /// Writes a result file: <c>"sf__Id","sf__Created"</c> + the upload's columns for created records,
    /// <c>"sf__Id","sf__Error"</c> + columns for failed ones, the bare columns for unprocessed ones.
    /// </summary>
    public async Task WriteResultsAsync(string id, IngestResultKind kind, Stream output, CancellationToken cancellationToken) =>
        await BulkIngestResultFile.WriteAsync(dataSource, ParseId(id), kind, output, cancellationToken);

    /// <summary>The job number of a 750 id.</summary>
    public static long ParseId(string id) =>
        SalesforceId.TryParseNumber(id, KeyPrefixes.BulkJob, out var number) ? number : throw NotFound();

    /// <summary>The job is the caller's, or the caller sees every job: parameters $2 (sees all) and $3 (user id).</summary>
    internal const string Visible = "($2 OR created_by = $3)";

    internal static void AddCaller(NpgsqlCommand command, BulkCaller caller)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = caller.SeesAll });
        command.Parameters.Add(new NpgsqlParameter { Value = caller.UserId });
    }

    internal static BulkException NotFound() => new(BulkErrorKind.NotFound, "NOT_FOUND", "The requested resource does not exist");

    private static IngestJob Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.GetInt64(7),
        reader.GetFieldValue<DateTimeOffset>(8),
        reader.GetFieldValue<DateTimeOffset>(9),
        reader.GetInt32(10),
        reader.GetInt32(11),
        reader.IsDBNull(12) ? null : reader.GetString(12),
        reader.GetInt64(13));
}
