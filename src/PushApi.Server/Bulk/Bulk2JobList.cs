using System.Globalization;
using System.Text.Json;
using PushApi.Server.Pipeline;
using PushApi.Server.Salesforce;

namespace PushApi.Server.Bulk;

/// <summary>A page of Bulk API 2.0 jobs (ingest or query) as Salesforce lists them: <c>done</c>, <c>records</c> and the <c>nextRecordsUrl</c> of the next page.</summary>
public static class Bulk2JobList
{
    /// <summary>The page's answer; <paramref name="resource"/> is the list's path after the version (<c>jobs/ingest</c> or <c>jobs/query</c>), <paramref name="number"/> a job's list position.</summary>
    public static IResult Page<TJob>(HttpContext context, string resource, IReadOnlyList<TJob> page, bool more, Func<TJob, long> number, Action<Utf8JsonWriter, TJob> writeJob)
    {
        var version = context.ApiVersion();
        return new RestJsonResult(StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("done", !more);
            writer.WriteStartArray("records");
            foreach (var job in page)
            {
                writeJob(writer, job);
            }

            writer.WriteEndArray();
            if (more)
            {
                writer.WriteString("nextRecordsUrl", $"/services/data/v{version}/{resource}?queryLocator={number(page[^1]).ToString(CultureInfo.InvariantCulture)}");
            }
            else
            {
                writer.WriteNull("nextRecordsUrl");
            }

            writer.WriteEndObject();
        });
    }
}
