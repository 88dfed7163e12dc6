using CsvHelper;
using Npgsql;
using NpgsqlTypes;
using PushApi.Core.Catalog;
using PushApi.Core.Ids;

namespace PushApi.Core.Bulk;

/// <summary>
/// The one CSV upload of an ingest job, all or nothing: parsed as it streams in and staged in
/// <c>bulk_ingest_chunks</c>, <see cref="BulkIngestJobs.ChunkSize"/> records to a row, so neither the
/// upload nor the processing holds the whole file in memory.
/// </summary>
internal static class BulkIngestUpload
{
    /// <summary>Stores the upload of job <paramref name="number"/>; returns the number of rows stored.</summary>
    public static async Task<int> StoreAsync(NpgsqlDataSource dataSource, TimeProvider clock, long number, BulkCaller caller, Stream body, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (delimiter, type) = await LockOpenJobAsync(connection, number, caller, cancellationToken);
        string[] header;
        int rows;
        try
        {
            (header, rows) = await StageAsync(connection, number, type, delimiter, body, cancellationToken);
        }
        catch (BulkException refused)
        {
            // Nothing of the upload is kept, and the job is Failed with the reason, as Salesforce fails a job whose data it cannot read.
            await transaction.RollbackAsync(cancellationToken);
            await FailAsync(connection, clock, number, refused.Message, cancellationToken);
            throw;
        }

        await using (var update = new NpgsqlCommand("UPDATE bulk_ingest_jobs SET columns = $2, rows_uploaded = $3, system_modstamp = $4 WHERE id = $1", connection))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = number });
            update.Parameters.Add(new NpgsqlParameter { Value = header, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            update.Parameters.Add(new NpgsqlParameter { Value = rows });
            update.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// Locks the job row for the rest of the upload, so a second upload or a close waits for this one;
    /// refuses a job that is not Open or already has its upload.
    /// </summary>
    private static async Task<(string Delimiter, SObjectDescriptor Type)> LockOpenJobAsync(NpgsqlConnection connection, long number, BulkCaller caller, CancellationToken cancellationToken)
    {
        string state, delimiter;
        bool uploaded;
        SObjectDescriptor type;
        await using (var select = new NpgsqlCommand($"SELECT state, column_delimiter, columns IS NOT NULL, object FROM bulk_ingest_jobs WHERE id = $1 AND {BulkIngestJobs.Visible} FOR UPDATE", connection))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = number });
            BulkIngestJobs.AddCaller(select, caller);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw BulkIngestJobs.NotFound();
            }

            state = reader.GetString(0);
            delimiter = reader.GetString(1);
            uploaded = reader.GetBoolean(2);
            type = SObjectCatalog.Find(reader.GetString(3))!;
        }

        if (state != IngestStates.Open)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOBSTATE", $"Data can only be uploaded to an Open job; job {SalesforceId.Format(KeyPrefixes.BulkJob, number)} is {state}.");
        }

        if (uploaded)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB",
                $"Found multiple contents for job: <{SalesforceId.Format(KeyPrefixes.BulkJob, number)}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure the content is not multipart");
        }

        return (delimiter, type);
    }

    /// <summary>Reads the CSV and inserts its records chunk by chunk; returns the header and the number of rows.</summary>
    private static async Task<(string[] Header, int Rows)> StageAsync(NpgsqlConnection connection, long number, SObjectDescriptor type, string delimiter, Stream body, CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            Separator = BulkCsv.Delimiters[delimiter],
            TrimWhitespace = false,
            MalformedData = CsvMalformedDataHandling.Throw,
            MaxRecordSize = 1024 * 1024,
            SkipEmptyLines = true,
            PoolStrings = true,
        };
        string[] header;
        var rows = 0;
        try
        {
            await using var csv = CsvReader.Create(body, options, leaveOpen: true);
            await csv.ReadHeaderAsync(cancellationToken);
            header = [.. csv.Headers];
            CheckHeader(type, header);
            var cells = new List<string>(BulkIngestJobs.ChunkSize * header.Length);
            var counts = new List<int>(BulkIngestJobs.ChunkSize);
            var chunk = 0;
            while (await csv.ReadAsync(cancellationToken))
            {
                for (var i = 0; i < csv.FieldCount; i++)
                {
                    cells.Add(Cell(csv.GetString(i), rows + 1, header, i));
                }

                counts.Add(csv.FieldCount);
                rows++;
                if (counts.Count == BulkIngestJobs.ChunkSize)
                {
                    await InsertChunkAsync(connection, number, chunk++, cells, counts, cancellationToken);
                }
            }

            if (counts.Count > 0)
            {
                await InsertChunkAsync(connection, number, chunk, cells, counts, cancellationToken);
            }
        }
        catch (CsvFormatException e)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"The CSV could not be read at record {e.RecordNumber}: {e.Message}");
        }

        return (header, rows);
    }

    /// <summary>A cell as stored; PostgreSQL stores no text with a NUL character, so the upload is refused naming the cell.</summary>
    private static string Cell(string value, int record, string[] header, int column) =>
        value.Contains('\0', StringComparison.Ordinal)
            ? throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB",
                $"The CSV could not be read at record {record}: the value of column {(column < header.Length ? header[column] : (column + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))} holds a NUL character (U+0000), which no field can store.")
            : value;

    private static async Task FailAsync(NpgsqlConnection connection, TimeProvider clock, long number, string reason, CancellationToken cancellationToken)
    {
        await using var fail = new NpgsqlCommand("UPDATE bulk_ingest_jobs SET state = 'Failed', error_message = $2, system_modstamp = $3 WHERE id = $1 AND state = 'Open'", connection);
        fail.Parameters.Add(new NpgsqlParameter { Value = number });
        fail.Parameters.Add(new NpgsqlParameter { Value = reason.Replace('\0', '\uFFFD') });
        fail.Parameters.Add(new NpgsqlParameter { Value = clock.Now() });
        await fail.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task InsertChunkAsync(NpgsqlConnection connection, long number, int chunk, List<string> cells, List<int> counts, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO bulk_ingest_chunks (job_id, chunk_no, cells, counts) VALUES ($1, $2, $3, $4)", connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = number });
        insert.Parameters.Add(new NpgsqlParameter { Value = chunk });
        insert.Parameters.Add(new NpgsqlParameter { Value = cells, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter { Value = counts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        await insert.ExecuteNonQueryAsync(cancellationToken);
        cells.Clear();
        counts.Clear();
    }

    private static void CheckHeader(SObjectDescriptor type, string[] header)
    {
        if (header.Length == 0 || header.All(string.IsNullOrWhiteSpace))
        {
            throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", "The CSV is empty: it needs a header row naming the fields (PackagePushRequestId,SubscriberOrganizationKey) and a row per record.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in header)
        {
            var field = type.FindField(column.Trim());
            if (field is null || !field.Createable)
            {
                throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB",
                    $"InvalidBatch : Field name not found : {column} (the columns of a {type.Name} upload are {string.Join(", ", type.Fields.Where(f => f.Createable).Select(f => f.Name))})");
            }

            if (!seen.Add(field.Name))
            {
                throw new BulkException(BulkErrorKind.BadRequest, "INVALIDJOB", $"InvalidBatch : Duplicate field name : {column}");
            }
        }
    }
}
