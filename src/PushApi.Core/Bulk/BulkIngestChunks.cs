using Npgsql;
using PushApi.Core.Catalog;
using PushApi.Core.Dml;
using PushApi.Core.Errors;

namespace PushApi.Core.Bulk;

/// <summary>A staged chunk of an upload: <c>Counts[row]</c> cells per row, in row order.</summary>
internal sealed record StagedChunk(int Number, string[] Cells, int[] Counts);

/// <summary>
/// A staged chunk read and parsed for the DML service, ahead of its transaction: <see cref="Records"/> holds the drafts
/// of the rows whose shape fits the header, <see cref="RecordRows"/> the row each came from, and <see cref="Errors"/>
/// the error of each row refused before the DML service saw it.
/// </summary>
internal sealed record PreparedChunk(StagedChunk Chunk, PreparedCreate Records, List<int> RecordRows, string?[] Errors);

/// <summary>
/// Reads the staged chunks of an ingest job. The cells of a chunk never change after the upload, and one instance
/// processes a job at a time (<see cref="BulkIngestProcessor"/>), so the next chunk is read, parsed, the facts of its
/// orgs read and its job ids taken (<see cref="PushJobFacts"/>), on a connection of its own while the one before is
/// written: that work overlaps the write's, on the other core.
/// </summary>
internal static class BulkIngestChunks
{
    /// <summary>The first chunk without results after chunk <paramref name="after"/>, parsed; null when there is none.</summary>
    public static Task<PreparedChunk?> PrepareNextAsync(NpgsqlDataSource dataSource, long number, int after, string[] columns, CancellationToken cancellationToken) =>
        Task.Run(
            async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                // Without JIT, as the chunk's write (BulkIngestProcessor): the facts read's 10,000-row arrays pass its cost
                // threshold, and compiling took 27 of its 143 ms a chunk. SET LOCAL needs a transaction; it reads, and takes job ids
                // (nextval, which no rollback returns).
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var noJit = new NpgsqlCommand("SET LOCAL jit = off", connection, transaction))
                {
                    await noJit.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var select = new NpgsqlCommand(
                    "SELECT chunk_no, cells, counts FROM bulk_ingest_chunks WHERE job_id = $1 AND chunk_no > $2 AND record_ids IS NULL ORDER BY chunk_no LIMIT 1", connection);
                select.Parameters.Add(new NpgsqlParameter { Value = number });
                select.Parameters.Add(new NpgsqlParameter { Value = after });
                StagedChunk chunk;
                await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                {
                    if (!await reader.ReadAsync(cancellationToken))
                    {
                        return null;
                    }

                    chunk = new StagedChunk(reader.GetInt32(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<int[]>(2));
                }

                var (records, recordRows, errors) = Parse(chunk, columns);
                var prepared = await DmlService.PrepareCreateAsync(connection, SObjectCatalog.PackagePushJob, records, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new PreparedChunk(chunk, prepared, recordRows, errors);
            },
            cancellationToken);

    /// <summary>
    /// The chunk's rows for the DML service (each a <see cref="BulkRow"/> over the chunk's cells), with the row each came
    /// from; a row whose number of values differs from the header's gets its error instead.
    /// </summary>
    private static (List<IReadOnlyDictionary<string, object?>> Records, List<int> RecordRows, string?[] Errors) Parse(StagedChunk chunk, string[] columns)
    {
        var (_, cells, counts) = chunk;
        var errors = new string?[counts.Length];
        var names = columns.Select(c => c.Trim()).ToArray();
        var records = new List<IReadOnlyDictionary<string, object?>>(counts.Length);
        var recordRows = new List<int>(counts.Length);
        var offset = 0;
        for (var row = 0; row < counts.Length; offset += counts[row], row++)
        {
            if (counts[row] != columns.Length)
            {
                errors[row] = BulkIngestProcessor.Format([new SaveError(ErrorCodes.InvalidField, $"The row has {counts[row]} values but the header names {columns.Length} columns.")]);
                continue;
            }

            var record = new BulkRow(names, cells, offset);
            records.Add(record);
            recordRows.Add(row);
        }

        return (records, recordRows, errors);
    }
}
