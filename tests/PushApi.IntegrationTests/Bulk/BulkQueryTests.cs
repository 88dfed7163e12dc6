using System.Net;
using System.Xml.Linq;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Bulk;

/// <summary>
/// Bulk API 1.0 query beyond CumulusCI's happy path: relationship columns, a failed batch and its
/// state message, and every refusal answered with the asyncapi XML error document.
/// </summary>
public class BulkQueryTests() : ApiFixture("bulk-query", runPushes: false)
{
    private static readonly XNamespace Ns = BulkV1Client.Ns;
    private BulkV1Client _bulk = null!;
    private PushScenario _push = null!;

    protected override async Task OnStartedAsync()
    {
        _bulk = new BulkV1Client(Server.CreateClient(), await Server.GetTokenAsync(), "62.0");
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "bulkq");
        await _push.TenantsAsync(3);
    }

    [Test]
    public async Task Parent_fields_become_dotted_columns_and_values_are_quoted()
    {
        var request = await _push.RequestAsync(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var rows = await _bulk.QueryAsync("PackagePushRequest",
            $"SELECT Id, PackageVersion.Name, PackageVersion.MetadataPackage.NamespacePrefix, ScheduledStartTime, IsMigration, StartTime FROM PackagePushRequest WHERE Id = '{request}'");
        Assert.That(rows[0], Is.EqualTo(new[] { "Id", "PackageVersion.Name", "PackageVersion.MetadataPackage.NamespacePrefix", "ScheduledStartTime", "IsMigration", "StartTime" }));
        Assert.That(rows[1], Is.EqualTo(new[] { request, "2.0", "bulkq", "2030-01-02T03:04:05.000Z", "false", "" }));
    }

    [Test]
    public async Task A_query_that_cannot_run_makes_a_failed_batch_with_the_reason()
    {
        var job = await _bulk.SendAsync(HttpMethod.Post, "/job", BulkV1Client.JobInfo(("operation", "query"), ("object", "PackageSubscriber"), ("contentType", "CSV")), "application/xml", HttpStatusCode.Created);
        var jobId = job.Element(Ns + "id")!.Value;
        Assert.That(jobId, Does.StartWith("750"));

        var bad = await _bulk.SendAsync(HttpMethod.Post, $"/job/{jobId}/batch", "SELECT Nope FROM PackageSubscriber", "text/csv", HttpStatusCode.Created);
        Assert.That(bad.Element(Ns + "state")!.Value, Is.EqualTo("Failed"));
        Assert.That(bad.Element(Ns + "stateMessage")!.Value, Does.StartWith("InvalidBatch : ").And.Contain("Nope"));

        var child = await _bulk.SendAsync(HttpMethod.Post, $"/job/{jobId}/batch", "SELECT Id, (SELECT Id FROM PackagePushErrors) FROM PackagePushJob", "text/csv", HttpStatusCode.Created);
        Assert.That(child.Element(Ns + "stateMessage")!.Value, Does.Contain("the job is a PackageSubscriber job"));
        var jobsJob = (await _bulk.SendAsync(HttpMethod.Post, "/job", BulkV1Client.JobInfo(("operation", "query"), ("object", "PackagePushJob"), ("contentType", "CSV")), "application/xml", HttpStatusCode.Created)).Element(Ns + "id")!.Value;
        var subQuery = await _bulk.SendAsync(HttpMethod.Post, $"/job/{jobsJob}/batch", "SELECT Id, (SELECT Id FROM PackagePushErrors) FROM PackagePushJob", "text/csv", HttpStatusCode.Created);
        Assert.That(subQuery.Element(Ns + "stateMessage")!.Value, Does.StartWith("FeatureNotEnabled : ").And.Contain("CSV"));

        var info = await _bulk.SendAsync(HttpMethod.Get, $"/job/{jobId}", null, null, HttpStatusCode.OK);
        Assert.That((info.Element(Ns + "numberBatchesFailed")!.Value, info.Element(Ns + "numberBatchesTotal")!.Value), Is.EqualTo(("2", "2")));
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Get, $"/job/{jobId}/batch/{bad.Element(Ns + "id")!.Value}/result"), HttpStatusCode.BadRequest, "InvalidBatch");

        await _bulk.SendAsync(HttpMethod.Post, $"/job/{jobId}", BulkV1Client.JobInfo(("state", "Closed")), "application/xml", HttpStatusCode.OK);
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Post, $"/job/{jobId}/batch", "SELECT Id FROM PackageSubscriber", "text/csv"), HttpStatusCode.BadRequest, "InvalidJobState");
    }

    [Test]
    public async Task Refusals_are_asyncapi_error_documents()
    {
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Post, "/job", BulkV1Client.JobInfo(("operation", "insert"), ("object", "PackagePushJob")), "application/xml"), HttpStatusCode.BadRequest, "InvalidJob");
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Post, "/job", BulkV1Client.JobInfo(("operation", "query"), ("object", "Account")), "application/xml"), HttpStatusCode.BadRequest, "InvalidJob");
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Post, "/job", "<jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\"><operation>query", "application/xml"), HttpStatusCode.BadRequest, "InvalidXML");
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Post, "/job", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><jobInfo xmlns=\"http://www.force.com/2009/06/asyncapi/dataload\"><object>&e;</object></jobInfo>", "application/xml"), HttpStatusCode.BadRequest, "InvalidXML");
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Post, "/job", "{\"operation\":\"query\"}", "application/json"), HttpStatusCode.BadRequest, "InvalidJob");
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Get, "/job/750000000000000AAA"), HttpStatusCode.BadRequest, "InvalidJob");
        await ExpectErrorAsync(_bulk.Request(HttpMethod.Get, "/nothing/here"), HttpStatusCode.NotFound, "InvalidUrl");

        using var anonymous = Server.CreateClient();
        using var noSession = new HttpRequestMessage(HttpMethod.Get, "/services/async/38.0/job/750000000000000AAA");
        await ExpectErrorAsync(anonymous, noSession, HttpStatusCode.Unauthorized, "InvalidSessionId");
        using var badSession = new HttpRequestMessage(HttpMethod.Get, "/services/async/38.0/job/750000000000000AAA");
        badSession.Headers.Add("X-SFDC-Session", "00D000000000001!nope");
        await ExpectErrorAsync(anonymous, badSession, HttpStatusCode.Unauthorized, "InvalidSessionId");
        using var badVersion = new HttpRequestMessage(HttpMethod.Get, "/services/async/9.0/job/750000000000000AAA");
        badVersion.Headers.Add("X-SFDC-Session", await Server.GetTokenAsync());
        await ExpectErrorAsync(anonymous, badVersion, HttpStatusCode.NotFound, "InvalidVersion");
    }

    private Task ExpectErrorAsync(HttpRequestMessage request, HttpStatusCode status, string code) => ExpectErrorAsync(Server.CreateClient(), request, status, code);

    private static async Task ExpectErrorAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode status, string code)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(status), text);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/xml"), text);
            var error = XElement.Parse(text);
            Assert.That(error.Name, Is.EqualTo(Ns + "error"));
            Assert.That(error.Element(Ns + "exceptionCode")!.Value, Is.EqualTo(code), text);
            Assert.That(error.Element(Ns + "exceptionMessage")!.Value, Is.Not.Empty);
            Assert.That(text, Does.Not.Contain("root:"), "no file content leaks through an entity");
        }
    }
}
