using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PushApi.Core.Soql;

namespace PushApi.Core.Bulk;

/// <summary>
/// The results of a complete Bulk API 2.0 query job, a CSV page at a time (<c>GET /jobs/query/{id}/results?locator=&amp;maxRecords=</c>).
/// A page is read from the SOQL engine when it is asked for and streamed as it is read; its locator (<c>Sforce-Locator</c>)
/// is the job and the keyset position where the next page starts, as base64url JSON: opaque to clients, checked when it
/// comes back, and valid as long as the job exists (the same locator reads the same place again).
/// </summary>
public sealed class Bulk2QueryResults(Bulk2QueryJobs jobs, SoqlEngine soql, Telemetry.PushMeters meters)
{
    /// <summary>
    /// The most rows one page holds, whatever the client asks (Salesforce, too, answers fewer than maxRecords when it
    /// must), and the page size when the client does not say: pages are streamed, so a large one costs no memory, and
    /// jsforce 3 (which sends no maxRecords) feeds every page into one CSV parser, where the header row of a second
    /// page would come out as a record.
    /// </summary>
    public const int MaxPageSize = 10_000_000;

    /// <summary>The locator of the last page, as Salesforce writes it.</summary>
    public const string LastPage = "null";

    private const int MaxLocatorLength = 4096;

    /// <summary>Opens the page; a job that is not JobComplete has none (412 <c>JOB_NOT_COMPLETE</c>).</summary>
    public async Task<QueryResultPage> OpenAsync(string jobId, BulkCaller caller, string? locator, string? maxRecords, CancellationToken cancellationToken)
    {
        var take = ParseMaxRecords(maxRecords);
        var (job, statement, runner) = await jobs.FindWithStatementAsync(jobId, caller, cancellationToken);
        if (job.State != IngestStates.JobComplete)
        {
            throw new BulkException(BulkErrorKind.NotReady, "JOB_NOT_COMPLETE",
                $"can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: {StatusName(job.State)}");
        }

        var start = string.IsNullOrEmpty(locator) ? null : Decode(locator, job.Number);
        var page = await soql.OpenCsvPageAsync(statement, runner, start, take, cancellationToken);
        var next = page.Next is null ? LastPage : Encode(job.Number, page.Next);
        return new QueryResultPage(page, next, BulkCsv.Delimiters[job.ColumnDelimiter], BulkCsv.LineEndings[job.LineEnding], meters);
    }

    private static int ParseMaxRecords(string? maxRecords)
    {
        if (maxRecords is null)
        {
            return MaxPageSize;
        }

        return int.TryParse(maxRecords, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? Math.Min(value, MaxPageSize)
            : throw new BulkException(BulkErrorKind.BadRequest, "API_ERROR", $"Invalid maxRecords '{ClientEcho(maxRecords)}': give a whole number of at least 1.");
    }

    private static string Encode(long job, KeysetPosition next)
    {
        var json = new JsonArray(job, next.Position, next.Key!.DeepClone()).ToJsonString();
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
    }

    private static KeysetPosition Decode(string locator, long job)
    {
        try
        {
            if (locator.Length <= MaxLocatorLength
                && JsonNode.Parse(Base64Url.DecodeFromChars(locator)) is JsonArray { Count: 3 } parts
                && parts[0]?.GetValue<long>() == job
                && parts[1]?.GetValue<int>() is >= 0 and var position
                && parts[2] is JsonArray key)
            {
                return new KeysetPosition(position, (JsonArray)key.DeepClone());
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            // answered below
        }

        throw new SoqlException(SoqlException.InvalidQueryLocator, $"Invalid locator '{ClientEcho(locator)}': use the Sforce-Locator header of this job's previous page.");
    }

    private static string ClientEcho(string text) => text.Length <= 100 ? text : text[..100] + "…";

    /// <summary>A state as Salesforce names it in this message (<c>IN_PROGRESS</c>).</summary>
    private static string StatusName(string state) => state switch
    {
        IngestStates.UploadComplete => "UPLOAD_COMPLETE",
        IngestStates.InProgress => "IN_PROGRESS",
        IngestStates.Failed => "FAILED",
        IngestStates.Aborted => "ABORTED",
        _ => state.ToUpperInvariant(),
    };
}

/// <summary>An open page of a query job's results: its size and next locator (the response headers), then its CSV.</summary>
public sealed class QueryResultPage(CsvPage page, string locator, char delimiter, string lineEnding, Telemetry.PushMeters meters) : IAsyncDisposable
{
    public int RecordCount => page.RecordCount;

    /// <summary>The next page's locator, or <c>"null"</c> on the last page.</summary>
    public string Locator => locator;

    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        var written = await page.WriteAsync(output, delimiter, lineEnding, cancellationToken);
        meters.BulkRows("query", "returned", written);
    }

    public ValueTask DisposeAsync() => page.DisposeAsync();
}
