using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary><c>POST composite/batch</c>: independent subrequests, each committed on its own, and haltOnError.</summary>
public partial class CompositeTests
{
    private async Task<JsonElement> BatchAsync(bool haltOnError, params object[] batchRequests) =>
        await Admin.PostAsJsonAsync($"{V62}/composite/batch", new { haltOnError, batchRequests }).ExpectAsync(HttpStatusCode.OK);

    [Test]
    public async Task A_batch_runs_each_subrequest_on_its_own()
    {
        var result = await BatchAsync(
            false,
            new { method = "POST", url = "v62.0/sobjects/PackagePushRequest", richInput = new { PackageVersionId = _version } },
            new { method = "PATCH", url = "v62.0/sobjects/PackagePushRequest/0DV000000000zzzAAA", richInput = new { Status = "Pending" } },
            new { method = "GET", url = "/services/data/v62.0/query?q=SELECT+COUNT()+FROM+MetadataPackage" });

        Assert.That(result.GetProperty("hasErrors").GetBoolean(), Is.True);
        var results = result.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results.Select(r => r.GetProperty("statusCode").GetInt32()), Is.EqualTo(new[] { 201, 404, 200 }));
        var created = results[0].GetProperty("result").Text("id");
        Assert.That((await Admin.GetAsync($"{V62}/sobjects/PackagePushRequest/{created}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the create stands though a later subrequest failed");
        Assert.That(results[2].GetProperty("result").GetProperty("totalSize").GetInt32(), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task With_haltOnError_the_subrequests_after_a_failure_are_not_run()
    {
        var before = await RowCountsAsync();
        var result = await BatchAsync(
            true,
            new { method = "GET", url = "v62.0/sobjects/PackagePushRequest/describe" },
            new { method = "POST", url = "v62.0/sobjects/PackagePushRequest", richInput = new { PackageVersionId = "04t000000000zzzAAA" } },
            new { method = "POST", url = "v62.0/sobjects/PackagePushRequest", richInput = new { PackageVersionId = _version } });

        var results = result.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results.Select(r => r.GetProperty("statusCode").GetInt32()), Is.EqualTo(new[] { 200, 400, 412 }));
        Assert.That(results[2].GetProperty("result")[0].Text("errorCode"), Is.EqualTo("BATCH_PROCESSING_HALTED"));
        Assert.That(await RowCountsAsync(), Is.EqualTo(before), "the halted create never ran");
    }

    [TestCase("{\"batchRequests\":[]}", "INVALID_INPUT")]
    [TestCase("{\"haltOnError\":true}", "JSON_PARSER_ERROR")]
    [TestCase("{\"batchRequests\":[{\"method\":\"GET\"}]}", "INVALID_INPUT")]
    [TestCase("{\"batchRequests\":[{\"method\":\"GET\",\"url\":\"v62.0/jobs/ingest\"}]}", "INVALID_INPUT")]
    [TestCase("{\"batchRequests\":[{\"method\":1,\"url\":\"v62.0/sobjects\"}]}", "INVALID_INPUT")]
    public async Task A_malformed_batch_body_is_refused_whole(string body, string errorCode)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var error = await Admin.PostAsync($"{V62}/composite/batch", content).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(error[0].Text("errorCode"), Is.EqualTo(errorCode));
    }

    [Test]
    public async Task A_batch_of_26_is_refused()
    {
        var requests = Enumerable.Range(0, 26).Select(_ => new { method = "GET", url = "v62.0/sobjects" }).ToArray();
        var error = await Admin.PostAsJsonAsync($"{V62}/composite/batch", new { batchRequests = requests }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(error[0].Text("errorCode"), Is.EqualTo("LIMIT_EXCEEDED"));
    }
}
