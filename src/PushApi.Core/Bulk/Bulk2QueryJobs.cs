using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PushApi.Core.Ids;
using PushApi.Core.Persistence;
using PushApi.Core.Soql;

namespace PushApi.Core.Bulk;

/// <summary>A Bulk API 2.0 query job as its clients see it (its states are <see cref="IngestStates"/> but Open).</summary>
public sealed record QueryJobV2(
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
    string? ErrorMessage,
    long ProcessingMs)
{
    public string Id => SalesforceId.Format(KeyPrefixes.BulkJob, Number);
}

/// <summary>
/// Bulk API 2.0 query jobs (jsforce's <c>bulk2.query</c>, simple_salesforce's <c>bulk2…query</c>): a job is its SOQL,
/// checked when it is created and kept in <c>bulk2_query_jobs</c>. The first poll runs it (counts its rows, so the job is
/// <c>JobComplete</c> with <c>numberRecordsProcessed</c>); <see cref="Bulk2QueryResults"/> then serves its rows as CSV
/// pages straight from the SOQL engine. A job belongs to its creator; an admin sees every job.
/// </summary>
public sealed class Bulk2QueryJobs([FromKeyedServices(DatabaseWork.Bulk)] NpgsqlDataSource dataSource, SoqlEngine soql, TimeProvider clock)
{
    /// <summary>Jobs a list page holds.</summary>
    public const int ListPageSize = 1000;

    /// <summary>A job left InProgress this long (its instance stopped while counting) is run again by the next poll.</summary>
    public static readonly TimeSpan StaleRun = TimeSpan.FromMinutes(5);

    private const string Columns =
        "id, object, operation, state, column_delimiter, line_ending, api_version, created_by, created_at, system_modstamp, records_processed, error_message, processing_ms";

    /// <summary>Creates a job in <c>UploadComplete</c> after checking its statement (a bad one is refused here, as on Salesforce).</summary>
    public async Task<QueryJobV2> CreateAsync(QueryJobRequest request, string apiVersion, SoqlCaller caller, CancellationToken cancellationToken)
    {
        if (request.Operation is not ("query" or "queryAll"))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB",
                request.Operation is null
                    ? "The job needs an operation: {\"operation\": \"query\", \"query\": \"SELECT …\"}."
                    : $"Operation '{request.Operation}' is not a query job's: use query or queryAll (ingest jobs are created at /jobs/ingest).");
        }

        if (string.IsNullOrWhiteSpace(request.Query))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", "The job needs a query: {\"operation\": \"query\", \"query\": \"SELECT Id FROM PackageSubscriber\"}.");
        }

        if (request.ContentType is not (null or "CSV"))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Content type '{request.ContentType}' is not supported; the Bulk API 2.0 answers CSV.");
        }

        var delimiter = request.ColumnDelimiter ?? "COMMA";
        if (!BulkCsv.Delimiters.ContainsKey(delimiter))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Invalid columnDelimiter '{delimiter}'; use one of {string.Join(", ", BulkCsv.Delimiters.Keys)}.");
        }

        var lineEnding = request.LineEnding ?? "LF";
        if (!BulkCsv.LineEndings.ContainsKey(lineEnding))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"Invalid lineEnding '{lineEnding}'; use LF or CRLF.");
        }

        var statement = request.Query.Replace('\0', '\uFFFD');
        var objectName = soql.CheckCsvQuery(statement, caller);
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO bulk2_query_jobs (object, operation, soql, state, column_delimiter, line_ending, api_version, created_by, sees_all_users, created_at, system_modstamp)
            VALUES ($1, $2, $3, 'UploadComplete', $4, $5, $6, $7, $8, $9, $9)
            RETURNING {Columns}
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = objectName });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Operation });
        command.Parameters.Add(new NpgsqlParameter { Value = statement });
        command.Parameters.Add(new NpgsqlParameter { Value = delimiter });
        command.Parameters.Add(new NpgsqlParameter { Value = lineEnding });
        command.Parameters.Add(new NpgsqlParameter { Value = apiVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = caller.UserId });
        command.Parameters.Add(new NpgsqlParameter { Value = caller.SeesAllUsers });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>The job; one that waits (UploadComplete, or InProgress left by a stopped instance) is run first.</summary>
    public async Task<QueryJobV2> GetAsync(string id, BulkCaller caller, CancellationToken cancellationToken)
    {
        var job = await FindAsync(id, caller, cancellationToken);
        var waiting = job.State == IngestStates.UploadComplete || (job.State == IngestStates.InProgress && clock.Now() - job.SystemModstamp > StaleRun);
        return waiting && await RunAsync(job.Number) ? await FindAsync(id, caller, cancellationToken) : job;
    }

    /// <summary>A page of jobs in creation order, after the job <paramref name="after"/> (the list's query locator).</summary>
    public async Task<(IReadOnlyList<QueryJobV2> Jobs, bool More)> ListAsync(long after, BulkCaller caller, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM bulk2_query_jobs WHERE id > $1 AND {BulkIngestJobs.Visible} ORDER BY id LIMIT $4");
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        BulkIngestJobs.AddCaller(command, caller);
        command.Parameters.Add(new NpgsqlParameter { Value = ListPageSize + 1 });
        var jobs = new List<QueryJobV2>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(Read(reader));
        }

        var more = jobs.Count > ListPageSize;
        return (more ? jobs[..ListPageSize] : jobs, more);
    }

    /// <summary>A client's state change: only <c>Aborted</c>, of a job not finished yet.</summary>
    public async Task<QueryJobV2> SetStateAsync(string id, BulkCaller caller, string? requested, CancellationToken cancellationToken)
    {
        if (requested != IngestStates.Aborted)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE", $"Invalid state '{requested}': a client can set a query job's state to Aborted only.");
        }

        var (state, changed) = await ChangeAsync(
            "UPDATE bulk2_query_jobs j SET state = 'Aborted', system_modstamp = $4 FROM current WHERE j.id = current.id AND current.state IN ('UploadComplete', 'InProgress') RETURNING j.id",
            id, caller, cancellationToken);
        if (!changed)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE", $"Job {id} is {state}; only a job that is UploadComplete or InProgress can be aborted.");
        }

        return await FindAsync(id, caller, cancellationToken);
    }

    /// <summary>Deletes a job (its results go with it); one being run must be aborted first.</summary>
    public async Task DeleteAsync(string id, BulkCaller caller, CancellationToken cancellationToken)
    {
        var (_, changed) = await ChangeAsync(
            "DELETE FROM bulk2_query_jobs j USING current WHERE j.id = current.id AND current.state <> 'InProgress' RETURNING j.id",
            id, caller, cancellationToken, stamped: false);
        if (!changed)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE", $"Job {id} is being run; abort it (PATCH {{\"state\": \"Aborted\"}}) before deleting it.");
        }
    }

    /// <summary>The job and the caller's statement for it (the creator's, read as the creator could).</summary>
    internal async Task<(QueryJobV2 Job, string Soql, SoqlCaller Runner)> FindWithStatementAsync(string id, BulkCaller caller, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns}, soql, sees_all_users FROM bulk2_query_jobs WHERE id = $1 AND {BulkIngestJobs.Visible}");
        command.Parameters.Add(new NpgsqlParameter { Value = BulkIngestJobs.ParseId(id) });
        BulkIngestJobs.AddCaller(command, caller);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw BulkIngestJobs.NotFound();
        }

        var job = Read(reader);
        return (job, reader.GetString(13), new SoqlCaller(job.CreatedBy, reader.GetBoolean(14)));
    }

    private async Task<QueryJobV2> FindAsync(string id, BulkCaller caller, CancellationToken cancellationToken) =>
        (await FindWithStatementAsync(id, caller, cancellationToken)).Job;

    /// <summary>
    /// Claims a waiting job and counts its rows. It is not cancelled with the poll that started it: a client that goes
    /// away leaves a job that still completes.
    /// </summary>
    /// <returns>Whether this call ran it (another poll may have claimed it first).</returns>
    private async Task<bool> RunAsync(long number)
    {
        var now = clock.Now();
        string statement;
        SoqlCaller runner;
        await using (var claim = dataSource.CreateCommand(
            """
            UPDATE bulk2_query_jobs SET state = 'InProgress', system_modstamp = $2
            WHERE id = $1 AND (state = 'UploadComplete' OR (state = 'InProgress' AND system_modstamp < $3))
            RETURNING soql, created_by, sees_all_users
            """))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = number });
            claim.Parameters.Add(new NpgsqlParameter { Value = now });
            claim.Parameters.Add(new NpgsqlParameter { Value = now - StaleRun });
            await using var reader = await claim.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return false;
            }

            (statement, runner) = (reader.GetString(0), new SoqlCaller(reader.GetInt64(1), reader.GetBoolean(2)));
        }

        var watch = Stopwatch.StartNew();
        var (state, count, error) = (IngestStates.JobComplete, 0, (string?)null);
        try
        {
            count = await soql.CountCsvRowsAsync(statement, runner, CancellationToken.None);
        }
        catch (SoqlException e)
        {
            (state, error) = (IngestStates.Failed, $"{e.ErrorCode}: {e.Message.Trim()}");
        }

        await using var complete = dataSource.CreateCommand(
            "UPDATE bulk2_query_jobs SET state = $2, records_processed = $3, error_message = $4, processing_ms = $5, system_modstamp = $6 WHERE id = $1 AND state = 'InProgress'");
        complete.Parameters.Add(new NpgsqlParameter { Value = number });
        complete.Parameters.Add(new NpgsqlParameter { Value = state });
        complete.Parameters.Add(new NpgsqlParameter { Value = count });
        complete.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        complete.Parameters.Add(new NpgsqlParameter { Value = watch.ElapsedMilliseconds });
        complete.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await complete.ExecuteNonQueryAsync();
        return true;
    }

    /// <summary>Runs <paramref name="change"/> (a statement over the CTE <c>current</c>; $4 is now when <paramref name="stamped"/>) on a visible job.</summary>
    /// <returns>The job's state before, and whether the change was made.</returns>
    private async Task<(string State, bool Changed)> ChangeAsync(string change, string id, BulkCaller caller, CancellationToken cancellationToken, bool stamped = true)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            WITH current AS (SELECT id, state FROM bulk2_query_jobs WHERE id = $1 AND {BulkIngestJobs.Visible} FOR UPDATE),
            changed AS ({change})
            SELECT current.state, EXISTS (SELECT 1 FROM changed) FROM current
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = BulkIngestJobs.ParseId(id) });
        BulkIngestJobs.AddCaller(command, caller);
        if (stamped)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetBoolean(1)) : throw BulkIngestJobs.NotFound();
    }

    private static QueryJobV2 Read(NpgsqlDataReader reader) => new(
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
        reader.IsDBNull(11) ? null : reader.GetString(11),
        reader.GetInt64(12));
}

/// <summary>What a client sends to create a query job (<c>POST /jobs/query</c>).</summary>
public sealed record QueryJobRequest(string? Operation, string? Query, string? ContentType, string? ColumnDelimiter, string? LineEnding);
