using System.Globalization;
using System.Text;
using System.Xml;
using PushApi.Core.Bulk;
using PushApi.Core.Identity;
using PushApi.Core.Ids;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;
using static PushApi.Server.Bulk.BulkXml;

namespace PushApi.Server.Bulk;

/// <summary>
/// Bulk API 1.0 query under <c>/services/async/NN.N</c> (CumulusCI's <c>push_all</c> reads subscribers
/// with it): XML job and batch info in the asyncapi namespace, the session in <c>X-SFDC-Session</c>,
/// errors as XML <c>&lt;error&gt;</c> documents.
/// </summary>
public static class BulkQueryApi
{
    public const string PathPrefix = "/services/async";

    private const int MaxJobInfoBytes = 64 * 1024;
    private const int MaxBatchBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapBulkQueryApi(this IEndpointRouteBuilder endpoints)
    {
        var async = endpoints.MapApiGroup(PathPrefix + "/{version}", BulkXmlShape.Instance)
            .RequireAuthorization(Permissions.Read)
            .RequireRateLimiting(RateLimiting.PerUserPolicy)
            .RequireApiVersion(sent => Error(StatusCodes.Status404NotFound, "InvalidVersion", $"Invalid API version: {sent}"))
            .WithTags("Salesforce Bulk API 1.0");
        async.MapPost("/job", CreateJobAsync).WithSummary("Create a query job (XML jobInfo).");
        async.MapGet("/job/{jobId}", async (string jobId, HttpContext context, BulkQueryJobs jobs) =>
            JobInfo(await jobs.GetJobAsync(jobId, context.RequestAborted)))
            .WithSummary("A job's state and batch counts.");
        async.MapPost("/job/{jobId}", SetStateAsync).WithSummary("Close or abort a job (XML jobInfo with a state).");
        async.MapPost("/job/{jobId}/batch", AddBatchAsync).WithSummary("Add a batch: the body is a SOQL statement.");
        async.MapGet("/job/{jobId}/batch", async (string jobId, HttpContext context, BulkQueryJobs jobs) =>
        {
            var batches = await jobs.ListBatchesAsync(jobId, context.RequestAborted);
            return Xml(StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartElement("batchInfoList", Namespace);
                foreach (var batch in batches)
                {
                    WriteBatch(writer, batch);
                }

                writer.WriteEndElement();
            });
        }).WithSummary("The job's batches.");
        async.MapGet("/job/{jobId}/batch/{batchId}", async (string jobId, string batchId, HttpContext context, BulkQueryJobs jobs) =>
        {
            var batch = await jobs.GetBatchAsync(jobId, batchId, context.RequestAborted);
            return Xml(StatusCodes.Status200OK, writer => WriteBatch(writer, batch));
        }).WithSummary("A batch's state.");
        async.MapGet("/job/{jobId}/batch/{batchId}/result", async (string jobId, string batchId, HttpContext context, BulkQueryJobs jobs) =>
        {
            var batch = await jobs.GetCompletedBatchAsync(jobId, batchId, context.RequestAborted);
            return Xml(StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartElement("result-list", Namespace);
                writer.WriteElementString("result", Namespace, batch.ResultId);
                writer.WriteEndElement();
            });
        }).WithSummary("The result ids of a completed query batch.");
        async.MapGet("/job/{jobId}/batch/{batchId}/result/{resultId}", async (string jobId, string batchId, string resultId, HttpContext context, BulkQueryJobs jobs) =>
            Results.Bytes(await jobs.GetResultAsync(jobId, batchId, resultId, context.RequestAborted), "text/csv"))
            .WithSummary("A query result as CSV (header row, every value quoted).");
        async.Map("/{**path}", () => Error(StatusCodes.Status404NotFound, "InvalidUrl", "The URI specified is invalid.")).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> CreateJobAsync(HttpContext context, BulkQueryJobs jobs)
    {
        var info = await ReadJobInfoAsync(context);
        var job = await jobs.CreateJobAsync(info.GetValueOrDefault("operation"), info.GetValueOrDefault("object"), info.GetValueOrDefault("contentType"),
            context.ApiVersion(), context.User.UserId(), context.RequestAborted);
        return JobInfo(job, StatusCodes.Status201Created);
    }

    private static async Task<IResult> SetStateAsync(string jobId, HttpContext context, BulkQueryJobs jobs)
    {
        var info = await ReadJobInfoAsync(context);
        return JobInfo(await jobs.SetStateAsync(jobId, info.GetValueOrDefault("state"), context.RequestAborted));
    }

    private static async Task<IResult> AddBatchAsync(string jobId, HttpContext context, BulkQueryJobs jobs)
    {
        var soql = await ReadTextAsync(context, MaxBatchBytes);
        var batch = await jobs.AddBatchAsync(jobId, soql, context.User.SoqlCaller(), context.RequestAborted);
        return Xml(StatusCodes.Status201Created, writer => WriteBatch(writer, batch));
    }

    private static async Task<string> ReadTextAsync(HttpContext context, int limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new BulkException(BulkErrorKind.TooLarge, "ClientInputError", $"The request body is larger than {limit / 1024} KB.");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "ClientInputError", "The request body is not UTF-8 text.");
        }
    }

    /// <summary>The child elements of a <c>jobInfo</c> document, by local name.</summary>
    private static async Task<Dictionary<string, string>> ReadJobInfoAsync(HttpContext context)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is "application/json")
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidJob", "Send the jobInfo as XML (application/xml); JSON job requests are not served by this Bulk API 1.0.");
        }

        var text = await ReadTextAsync(context, MaxJobInfoBytes);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxJobInfoBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
            Async = false,
        };
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var reader = XmlReader.Create(new StringReader(text), settings);
        reader.MoveToContent();
        if (reader.LocalName != "jobInfo" || reader.NamespaceURI != Namespace)
        {
            throw new BulkException(BulkErrorKind.BadRequest, "InvalidJob", $"Expected a jobInfo element in namespace {Namespace}.");
        }

        if (reader.IsEmptyElement)
        {
            return values;
        }

        reader.Read();
        while (reader.NodeType == XmlNodeType.Element)
        {
            var name = reader.LocalName;
            values[name] = reader.ReadElementContentAsString().Trim();
        }

        return values;
    }

    private static IResult JobInfo(QueryJob job, int status = StatusCodes.Status200OK) => Xml(status, writer =>
    {
        writer.WriteStartElement("jobInfo", Namespace);
        Element(writer, "id", job.Id);
        Element(writer, "operation", job.Operation);
        Element(writer, "object", job.ObjectName);
        Element(writer, "createdById", SalesforceId.Format(KeyPrefixes.User, job.CreatedBy));
        Element(writer, "createdDate", Timestamp(job.CreatedAt));
        Element(writer, "systemModstamp", Timestamp(job.SystemModstamp));
        Element(writer, "state", job.State);
        Element(writer, "concurrencyMode", "Parallel");
        Element(writer, "contentType", job.ContentType);
        Element(writer, "numberBatchesQueued", job.BatchesQueued);
        Element(writer, "numberBatchesInProgress", job.BatchesInProgress);
        Element(writer, "numberBatchesCompleted", job.BatchesCompleted);
        Element(writer, "numberBatchesFailed", job.BatchesFailed);
        Element(writer, "numberBatchesTotal", job.BatchesTotal);
        Element(writer, "numberRecordsProcessed", job.RecordsProcessed);
        Element(writer, "numberRetries", 0);
        Element(writer, "apiVersion", job.ApiVersion);
        Element(writer, "numberRecordsFailed", 0);
        Element(writer, "totalProcessingTime", job.ProcessingMs);
        Element(writer, "apiActiveProcessingTime", job.ProcessingMs);
        Element(writer, "apexProcessingTime", 0);
        writer.WriteEndElement();
    });

    private static void WriteBatch(XmlWriter writer, QueryBatch batch)
    {
        writer.WriteStartElement("batchInfo", Namespace);
        Element(writer, "id", batch.Id);
        Element(writer, "jobId", batch.JobId);
        Element(writer, "state", batch.State);
        if (batch.StateMessage is not null)
        {
            Element(writer, "stateMessage", batch.StateMessage);
        }

        Element(writer, "createdDate", Timestamp(batch.CreatedAt));
        Element(writer, "systemModstamp", Timestamp(batch.SystemModstamp));
        Element(writer, "numberRecordsProcessed", batch.RecordsProcessed);
        Element(writer, "numberRecordsFailed", 0);
        Element(writer, "totalProcessingTime", batch.ProcessingMs);
        Element(writer, "apiActiveProcessingTime", batch.ProcessingMs);
        Element(writer, "apexProcessingTime", 0);
        writer.WriteEndElement();
    }
}
