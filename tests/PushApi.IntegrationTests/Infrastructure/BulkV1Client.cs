using System.Net;
using System.Text;
using System.Xml.Linq;

namespace PushApi.IntegrationTests.Infrastructure;

/// <summary>
/// Bulk API 1.0 query as the heroku <c>salesforce_bulk</c> library (CumulusCI's BulkApiQueryOperation)
/// sends it: XML jobInfo, the SOQL as a <c>text/csv</c> batch, polling of the job and its batch list,
/// closing the job, then the result list and the result CSV. The session goes in <c>X-SFDC-Session</c>.
/// </summary>
public sealed class BulkV1Client(HttpClient http, string token, string version = "38.0")
{
    public static readonly XNamespace Ns = "http://www.force.com/2009/06/asyncapi/dataload";

    private string Root => $"/services/async/{version}";

    /// <summary>Runs a query job to its result; returns the CSV rows (header first) split into cells.</summary>
    public async Task<List<string[]>> QueryAsync(string objectName, string soql)
    {
        var job = await SendAsync(HttpMethod.Post, "/job", JobInfo(("operation", "query"), ("object", objectName), ("contentType", "CSV")), "application/xml; charset=UTF-8", HttpStatusCode.Created);
        var jobId = job.Element(Ns + "id")!.Value;
        var batch = await SendAsync(HttpMethod.Post, $"/job/{jobId}/batch", soql, "text/csv; charset=UTF-8", HttpStatusCode.Created);
        var batchId = batch.Element(Ns + "id")!.Value;

        // Poll like salesforce_bulk's is_batch_done / job status until nothing is queued or running.
        for (var attempt = 0; ; attempt++)
        {
            var status = await SendAsync(HttpMethod.Get, $"/job/{jobId}", null, null, HttpStatusCode.OK);
            var list = await SendAsync(HttpMethod.Get, $"/job/{jobId}/batch", null, null, HttpStatusCode.OK);
            var states = list.Elements(Ns + "batchInfo").Select(b => b.Element(Ns + "state")!.Value).ToList();
            if (states.All(s => s is not ("Queued" or "InProgress")) && int.Parse(status.Element(Ns + "numberBatchesTotal")!.Value, System.Globalization.CultureInfo.InvariantCulture) == states.Count)
            {
                break;
            }

            Assert.That(attempt, Is.LessThan(100), "the batch finished");
            await Task.Delay(100);
        }

        await SendAsync(HttpMethod.Post, $"/job/{jobId}", JobInfo(("state", "Closed")), "application/xml; charset=UTF-8", HttpStatusCode.OK);
        var info = await SendAsync(HttpMethod.Get, $"/job/{jobId}/batch/{batchId}", null, null, HttpStatusCode.OK);
        Assert.That(info.Element(Ns + "state")!.Value, Is.EqualTo("Completed"), info.ToString());
        var results = await SendAsync(HttpMethod.Get, $"/job/{jobId}/batch/{batchId}/result", null, null, HttpStatusCode.OK);
        var rows = new List<string[]>();
        foreach (var resultId in results.Elements(Ns + "result").Select(r => r.Value))
        {
            using var request = Request(HttpMethod.Get, $"/job/{jobId}/batch/{batchId}/result/{resultId}");
            using var response = await http.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var text = await response.Content.ReadAsStringAsync();
            rows.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ParseLine));
        }

        return rows;
    }

    public static string JobInfo(params (string Name, string Value)[] elements) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + new XElement(Ns + "jobInfo", elements.Select(e => new XElement(Ns + e.Name, e.Value))).ToString(SaveOptions.DisableFormatting);

    public HttpRequestMessage Request(HttpMethod method, string path, string? body = null, string? contentType = null)
    {
        var request = new HttpRequestMessage(method, Root + path);
        request.Headers.Add("X-SFDC-Session", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType!);
        }

        return request;
    }

    public async Task<XElement> SendAsync(HttpMethod method, string path, string? body, string? contentType, HttpStatusCode expected)
    {
        using var request = Request(method, path, body, contentType);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"), "salesforce_bulk parses anything but exactly application/json as XML");
        return XElement.Parse(text);
    }

    /// <summary>One line of a Bulk API CSV result (every value quoted).</summary>
    private static string[] ParseLine(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }
}
