using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using PushApi.Core.Bulk;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Bulk;

/// <summary>
/// Bulk API 2.0 ingest under <c>/services/data/vNN.N/jobs/ingest</c>: the way the sf CLI adds push
/// jobs. Create a job, PUT one CSV, PATCH <c>UploadComplete</c>, poll, read the result files.
/// Errors are REST error arrays.
/// </summary>
public static class BulkIngestEndpoints
{
    /// <summary>How long closing a job waits for its processing before answering (small jobs are then already complete).</summary>
    public static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapBulkIngestApi(this IEndpointRouteBuilder endpoints)
    {
        var ingest = endpoints.MapApiGroup("/services/data/{version}/jobs/ingest", SalesforceRestShape.Instance)
            .RequireAuthorization(Permissions.Read)
            .RequireRateLimiting(RateLimiting.PerUserPolicy)
            .RequireApiVersion(_ => RestWriter.NotFound())
            .WithTags("Salesforce Bulk API 2.0");
        ingest.MapPost("/", CreateAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Create an ingest job (insert of PackagePushJob).");
        ingest.MapGet("/", ListAsync).WithSummary("The ingest jobs, 1,000 a page.");
        ingest.MapGet("/{jobId}", async (string jobId, HttpContext context, BulkIngestJobs jobs) =>
            JobInfo(await jobs.GetAsync(jobId, Caller(context), context.RequestAborted), context, full: true))
            .WithSummary("A job's state and counts.");
        ingest.MapPut("/{jobId}/batches", UploadAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Upload the job's CSV (once, up to 100 MB).");
        ingest.MapPatch("/{jobId}", SetStateAsync).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Close (UploadComplete) or abort (Aborted) a job.");
        ingest.MapDelete("/{jobId}", async (string jobId, HttpContext context, BulkIngestJobs jobs) =>
        {
            await jobs.DeleteAsync(jobId, Caller(context), context.RequestAborted);
            return Results.NoContent();
        }).RequireAuthorization(Permissions.PushUpgrade).WithSummary("Delete a job and its data.");
        ingest.MapGet("/{jobId}/successfulResults", (string jobId, BulkIngestJobs jobs) => new CsvResult(jobs, jobId, IngestResultKind.Successful))
            .WithSummary("CSV of the created records: sf__Id, sf__Created and the uploaded columns.");
        ingest.MapGet("/{jobId}/failedResults", (string jobId, BulkIngestJobs jobs) => new CsvResult(jobs, jobId, IngestResultKind.Failed))
            .WithSummary("CSV of the refused rows: sf__Id, sf__Error (STATUS_CODE:message:fields --) and the uploaded columns.");
        ingest.MapGet("/{jobId}/unprocessedrecords", (string jobId, BulkIngestJobs jobs) => new CsvResult(jobs, jobId, IngestResultKind.Unprocessed))
            .WithSummary("CSV of the rows not processed (the job was aborted or failed).");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, BulkIngestJobs jobs)
    {
        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var job = await jobs.CreateAsync(
            Text(body, "object"), Text(body, "operation"), Text(body, "contentType"), Text(body, "columnDelimiter"), Text(body, "lineEnding"),
            context.ApiVersion(), context.User.UserId(), context.RequestAborted);
        return JobInfo(job, context, full: false);
    }

    private static async Task<IResult> ListAsync(HttpContext context, BulkIngestJobs jobs, string? queryLocator)
    {
        var after = 0L;
        if (queryLocator is not null && !long.TryParse(queryLocator, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return RestWriter.Errors(StatusCodes.Status400BadRequest, [new Core.Errors.SaveError("INVALID_QUERY_LOCATOR", $"Invalid queryLocator '{queryLocator}'.")]);
        }

        var (page, more) = await jobs.ListAsync(after, Caller(context), context.RequestAborted);
        return Bulk2JobList.Page(context, "jobs/ingest", page, more, job => job.Number, (writer, job) => WriteJob(writer, job, context.ApiVersion(), full: false));
    }

    private static async Task<IResult> UploadAsync(string jobId, HttpContext context, BulkIngestJobs jobs)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not (null or "" or "text/csv" or "application/octet-stream"))
        {
            return RestWriter.Errors(StatusCodes.Status400BadRequest, [new Core.Errors.SaveError("INVALIDJOB", $"Unsupported Content-Type '{mediaType}': upload the job's data as text/csv.")]);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = BulkIngestJobs.MaxUploadBytes;
        }

        await jobs.UploadAsync(jobId, Caller(context), context.Request.Body, context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> SetStateAsync(string jobId, HttpContext context, BulkIngestJobs jobs, BulkIngestProcessor processor, IHostApplicationLifetime lifetime)
    {
        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var state = Text(body, "state");
        var job = await jobs.SetStateAsync(jobId, Caller(context), state, context.RequestAborted);
        if (job.State == IngestStates.UploadComplete)
        {
            // Processing starts now; a job of ordinary size is complete before the client's first poll.
            processor.Start(job.Number, lifetime.ApplicationStopping);
            await processor.WaitAsync(job.Number, CloseWait, context.RequestAborted);
            job = await jobs.GetAsync(jobId, Caller(context), context.RequestAborted);
        }

        return JobInfo(job, context, full: false);
    }

    /// <summary>A job is its creator's; an admin sees and acts on every job.</summary>
    internal static BulkCaller Caller(HttpContext context) =>
        new(context.User.UserId(), context.User.HasClaim(PushApiClaims.Permission, Permissions.Admin));

    // GetString refuses a lone surrogate ("\ud800") with an InvalidOperationException: it is the client's bad text.
    private static string? StringOf(JsonElement value, string name)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            throw new RestInputException(RestErrors.JsonParserError, $"'{name}' is not valid text (a lone surrogate).");
        }
    }

    internal static string? Text(JsonElement body, string name)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.Ordinal))
            {
                return property.Value.ValueKind switch
                {
                    JsonValueKind.String => StringOf(property.Value, name),
                    JsonValueKind.Null => null,
                    _ => throw new RestInputException(RestErrors.JsonParserError, $"'{name}' must be a string."),
                };
            }
        }

        return null;
    }

    private static RestJsonResult JobInfo(IngestJob job, HttpContext context, bool full) =>
        new(StatusCodes.Status200OK, writer => WriteJob(writer, job, context.ApiVersion(), full));

    private static void WriteJob(Utf8JsonWriter writer, IngestJob job, string version, bool full)
    {
        writer.WriteStartObject();
        writer.WriteString("id", job.Id);
        writer.WriteString("operation", job.Operation);
        writer.WriteString("object", job.ObjectName);
        writer.WriteString("createdById", SalesforceId.Format(KeyPrefixes.User, job.CreatedBy));
        writer.WriteString("createdDate", RestWriter.FormatDateTime(job.CreatedAt));
        writer.WriteString("systemModstamp", RestWriter.FormatDateTime(job.SystemModstamp));
        writer.WriteString("state", job.State);
        writer.WriteString("concurrencyMode", "Parallel");
        writer.WriteString("contentType", "CSV");
        writer.WriteNumber("apiVersion", decimal.Parse(job.ApiVersion, CultureInfo.InvariantCulture));
        if (!full)
        {
            writer.WriteString("contentUrl", $"services/data/v{version}/jobs/ingest/{job.Id}/batches");
        }

        writer.WriteString("jobType", "V2Ingest");
        writer.WriteString("lineEnding", job.LineEnding);
        writer.WriteString("columnDelimiter", job.ColumnDelimiter);
        if (full)
        {
            writer.WriteNumber("numberRecordsProcessed", job.RecordsProcessed);
            writer.WriteNumber("numberRecordsFailed", job.RecordsFailed);
            writer.WriteNumber("retries", 0);
            writer.WriteNumber("totalProcessingTime", job.ProcessingMs);
            writer.WriteNumber("apiActiveProcessingTime", job.ProcessingMs);
            writer.WriteNumber("apexProcessingTime", 0);
            if (job.ErrorMessage is not null)
            {
                writer.WriteString("errorMessage", job.ErrorMessage);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>A result file, streamed as <c>text/csv</c>.</summary>
    internal sealed class CsvResult(BulkIngestJobs jobs, string jobId, IngestResultKind kind) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            // Unknown jobs are answered before the response starts.
            await jobs.GetAsync(jobId, Caller(httpContext), httpContext.RequestAborted);
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "text/csv";
            await jobs.WriteResultsAsync(jobId, kind, httpContext.Response.Body, httpContext.RequestAborted);
        }
    }
}
