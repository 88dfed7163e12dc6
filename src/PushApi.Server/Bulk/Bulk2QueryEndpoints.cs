using System.Globalization;
using System.Text.Json;
using PushApi.Core.Bulk;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;
using static PushApi.Server.Bulk.BulkIngestEndpoints;

namespace PushApi.Server.Bulk;

/// <summary>
/// Bulk API 2.0 query under <c>/services/data/vNN.N/jobs/query</c> (jsforce's <c>bulk2.query</c>, simple_salesforce's
/// <c>bulk2</c> queries): create a job from a SOQL statement, poll it, read its results as CSV pages with the
/// <c>Sforce-Locator</c> and <c>Sforce-NumberOfRecords</c> headers; abort, delete and list. Errors are REST error arrays.
/// </summary>
public static class Bulk2QueryEndpoints
{
    public static IEndpointRouteBuilder MapBulk2QueryApi(this IEndpointRouteBuilder endpoints)
    {
        var query = endpoints.MapApiGroup("/services/data/{version}/jobs/query", SalesforceRestShape.Instance)
            .RequireAuthorization(Permissions.Read)
            .RequireRateLimiting(RateLimiting.PerUserPolicy)
            .RequireApiVersion(_ => RestWriter.NotFound())
            .WithTags("Salesforce Bulk API 2.0");
        query.MapPost("/", CreateAsync).WithSummary("Create a query job: {operation: query|queryAll, query: SOQL, columnDelimiter?, lineEnding?}.");
        query.MapGet("/", ListAsync).WithSummary("The caller's query jobs, 1,000 a page.");
        query.MapGet("/{jobId}", async (string jobId, HttpContext context, Bulk2QueryJobs jobs) =>
            JobInfo(await jobs.GetAsync(jobId, Caller(context), context.RequestAborted), full: true))
            .WithSummary("A job's state and numberRecordsProcessed; the first poll runs the job.");
        query.MapPatch("/{jobId}", async (string jobId, HttpContext context, Bulk2QueryJobs jobs) =>
        {
            var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
            return JobInfo(await jobs.SetStateAsync(jobId, Caller(context), Text(body, "state"), context.RequestAborted), full: false);
        }).WithSummary("Abort a job: {state: Aborted}.");
        query.MapDelete("/{jobId}", async (string jobId, HttpContext context, Bulk2QueryJobs jobs) =>
        {
            await jobs.DeleteAsync(jobId, Caller(context), context.RequestAborted);
            return Results.NoContent();
        }).WithSummary("Delete a job.");
        query.MapGet("/{jobId}/results", (string jobId, string? locator, string? maxRecords) => new ResultsPage(jobId, locator, maxRecords))
            .WithSummary("A page of the results as CSV; Sforce-Locator names the next page (\"null\" on the last), Sforce-NumberOfRecords counts this one.");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, Bulk2QueryJobs jobs)
    {
        var body = await RestBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var request = new QueryJobRequest(Text(body, "operation"), Text(body, "query"), Text(body, "contentType"), Text(body, "columnDelimiter"), Text(body, "lineEnding"));
        var job = await jobs.CreateAsync(request, context.ApiVersion(), context.User.SoqlCaller(), context.RequestAborted);
        return JobInfo(job, full: false);
    }

    private static async Task<IResult> ListAsync(HttpContext context, Bulk2QueryJobs jobs, string? queryLocator, string? isPkChunkingEnabled, string? jobType, string? concurrencyMode)
    {
        var after = 0L;
        if (queryLocator is not null && !long.TryParse(queryLocator, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return RestWriter.Error(StatusCodes.Status400BadRequest, "INVALID_QUERY_LOCATOR", $"Invalid queryLocator '{queryLocator}'.");
        }

        // The filters Salesforce takes; this service's query jobs are all V2Query, Parallel and without PK chunking.
        var matches = Filter(isPkChunkingEnabled, "isPkChunkingEnabled", ["false"], ["true"])
            & Filter(jobType, "jobType", ["V2Query"], ["Classic", "V2Ingest", "BigObjectIngest"])
            & Filter(concurrencyMode, "concurrencyMode", ["parallel"], ["serial"]);
        var (page, more) = matches ? await jobs.ListAsync(after, Caller(context), context.RequestAborted) : ([], false);
        return Bulk2JobList.Page(context, "jobs/query", page, more, job => job.Number, (writer, job) => WriteJob(writer, job, full: false));
    }

    /// <summary>A list filter: true when it is absent or one of <paramref name="all"/>, false for one of <paramref name="none"/>; any other value is refused.</summary>
    private static bool Filter(string? value, string name, string[] all, string[] none) =>
        value is null || all.Contains(value, StringComparer.OrdinalIgnoreCase)
        || (none.Contains(value, StringComparer.OrdinalIgnoreCase) ? false : throw new RestInputException("API_ERROR", $"Invalid {name} '{(value.Length <= 100 ? value : value[..100])}'; use one of {string.Join(", ", all.Concat(none))}."));

    private static RestJsonResult JobInfo(QueryJobV2 job, bool full) => new(StatusCodes.Status200OK, writer => WriteJob(writer, job, full));

    private static void WriteJob(Utf8JsonWriter writer, QueryJobV2 job, bool full)
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
        writer.WriteString("jobType", "V2Query");
        writer.WriteString("lineEnding", job.LineEnding);
        writer.WriteString("columnDelimiter", job.ColumnDelimiter);
        if (full)
        {
            writer.WriteNumber("numberRecordsProcessed", job.RecordsProcessed);
            writer.WriteNumber("retries", 0);
            writer.WriteNumber("totalProcessingTime", job.ProcessingMs);
            writer.WriteBoolean("isPkChunkingSupported", false);
            if (job.ErrorMessage is not null)
            {
                writer.WriteString("errorMessage", job.ErrorMessage);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>A page of results: refused before the response starts (unknown job, not complete, bad locator), then streamed.</summary>
    internal sealed class ResultsPage(string jobId, string? locator, string? maxRecords) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var results = httpContext.RequestServices.GetRequiredService<Bulk2QueryResults>();
            await using var page = await results.OpenAsync(jobId, Caller(httpContext), locator, maxRecords, httpContext.RequestAborted);
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "text/csv";
            httpContext.Response.Headers["Sforce-Locator"] = page.Locator;
            httpContext.Response.Headers["Sforce-NumberOfRecords"] = page.RecordCount.ToString(CultureInfo.InvariantCulture);
            await page.WriteAsync(httpContext.Response.Body, httpContext.RequestAborted);
        }
    }
}
