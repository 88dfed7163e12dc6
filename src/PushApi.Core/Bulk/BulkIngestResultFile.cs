using System.Text;
using Npgsql;
using PushApi.Core.Formats;
using PushApi.Core.Ids;

namespace PushApi.Core.Bulk;

/// <summary>Which rows of a job a result file lists.</summary>
public enum IngestResultKind
{
    Successful,
    Failed,
    Unprocessed,
}

/// <summary>
/// The three result files of an ingest job, streamed from the staged chunks in upload order, in the
/// job's own column delimiter and line ending.
/// </summary>
internal static class BulkIngestResultFile
{
    /// <summary>Writes job <paramref name="number"/>'s result file of the <paramref name="kind"/> asked for.</summary>
    public static async Task WriteAsync(NpgsqlDataSource dataSource, long number, IngestResultKind kind, Stream output, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var layout = await ReadLayoutAsync(connection, number, cancellationToken);
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        var line = new StringBuilder();
        await WriteHeaderAsync(writer, line, kind, layout, cancellationToken);
        await using var chunks = new NpgsqlCommand("SELECT cells, counts, record_ids, errors FROM bulk_ingest_chunks WHERE job_id = $1 ORDER BY chunk_no", connection);
        chunks.Parameters.Add(new NpgsqlParameter { Value = number });
        await using var chunkReader = await chunks.ExecuteReaderAsync(cancellationToken);
        while (await chunkReader.ReadAsync(cancellationToken))
        {
            var chunk = new StagedChunk(
                chunkReader.GetFieldValue<string[]>(0),
                chunkReader.GetFieldValue<int[]>(1),
                chunkReader.IsDBNull(2) ? null : chunkReader.GetFieldValue<long?[]>(2),
                chunkReader.IsDBNull(3) ? null : chunkReader.GetFieldValue<string?[]>(3));
            await WriteRowsAsync(writer, line, kind, layout, chunk, cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static async Task<Layout> ReadLayoutAsync(NpgsqlConnection connection, long number, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand("SELECT columns, column_delimiter, line_ending FROM bulk_ingest_jobs WHERE id = $1", connection);
        select.Parameters.Add(new NpgsqlParameter { Value = number });
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw BulkIngestJobs.NotFound();
        }

        return new Layout(
            reader.IsDBNull(0) ? [] : reader.GetFieldValue<string[]>(0),
            BulkCsv.Delimiters[reader.GetString(1)],
            BulkCsv.LineEndings[reader.GetString(2)]);
    }

    private static async Task WriteHeaderAsync(StreamWriter writer, StringBuilder line, IngestResultKind kind, Layout layout, CancellationToken cancellationToken)
    {
        if (kind != IngestResultKind.Unprocessed)
        {
            line.Append("\"sf__Id\"").Append(layout.Delimiter).Append(kind == IngestResultKind.Successful ? "\"sf__Created\"" : "\"sf__Error\"");
        }

        foreach (var column in layout.Header)
        {
            if (line.Length > 0)
            {
                line.Append(layout.Delimiter);
            }

            Csv.AppendPlain(line, column, layout.Delimiter);
        }

        // A job closed without an upload has no columns: its unprocessed file is empty.
        if (line.Length > 0)
        {
            await writer.WriteAsync(line.Append(layout.Newline), cancellationToken);
        }
    }

    private static async Task WriteRowsAsync(StreamWriter writer, StringBuilder line, IngestResultKind kind, Layout layout, StagedChunk chunk, CancellationToken cancellationToken)
    {
        var (cells, counts, ids, errors) = chunk;
        var offset = 0;
        for (var row = 0; row < counts.Length; offset += counts[row], row++)
        {
            var wanted = kind switch
            {
                IngestResultKind.Successful => ids?[row] is not null,
                IngestResultKind.Failed => errors?[row] is not null,
                _ => ids is null,
            };
            if (!wanted)
            {
                continue;
            }

            line.Clear();
            if (kind == IngestResultKind.Successful)
            {
                Csv.AppendQuoted(line, SalesforceId.Format(KeyPrefixes.PackagePushJob, ids![row]!.Value));
                line.Append(layout.Delimiter);
                Csv.AppendQuoted(line, "true");
            }
            else if (kind == IngestResultKind.Failed)
            {
                Csv.AppendQuoted(line, "");
                line.Append(layout.Delimiter);
                Csv.AppendQuoted(line, errors![row]);
            }

            for (var i = 0; i < layout.Header.Length; i++)
            {
                if (line.Length > 0)
                {
                    line.Append(layout.Delimiter);
                }

                // A row with the wrong number of values (it failed for that) is written to the header's width.
                Csv.AppendQuoted(line, i < counts[row] ? cells[offset + i] : "");
            }

            await writer.WriteAsync(line.Append(layout.Newline), cancellationToken);
        }
    }

    /// <summary>The upload's columns and the job's CSV dialect.</summary>
    private sealed record Layout(string[] Header, char Delimiter, string Newline);

    /// <summary>
    /// A staged chunk with its results: <c>counts[row]</c> cells per row; no record ids while it is
    /// unprocessed, then an id or an error per row.
    /// </summary>
    private sealed record StagedChunk(string[] Cells, int[] Counts, long?[]? RecordIds, string?[]? Errors);
}
