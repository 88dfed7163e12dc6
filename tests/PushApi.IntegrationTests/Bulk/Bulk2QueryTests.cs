using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Bulk;

/// <summary>
/// Bulk API 2.0 query over HTTP, as jsforce's QueryJobV2 and simple_salesforce's bulk2 drive it: create, poll, read
/// the CSV pages by locator and maxRecords; abort, delete, list; the refusals; and jsforce reading 50,000 subscribers.
/// </summary>
[NonParallelizable]
public class Bulk2QueryTests() : ApiFixture("bulk2-query", runPushes: false)
{
    private const string Jobs = "/services/data/v62.0/jobs/query";
    private const int BigList = 50_000;
    private PushScenario _push = null!;
    private PushScenario _big = null!;
    private List<string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "b2q");
        _orgs = await _push.TenantsAsync(30);
        _big = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "b2big");
        await _big.TenantsAsync(BigList);
    }

    private string Subscribers(string fields = "Id, OrgKey") => $"SELECT {fields} FROM PackageSubscriber WHERE MetadataPackageId = '{_push.PackageId}'";

    [Test]
    public async Task A_job_is_created_polled_and_read_as_one_csv_page()
    {
        var job = await CreateAsync(new { operation = "query", query = Subscribers("Id, OrgKey, OrgName, InstalledStatus, MetadataPackageVersion.Name") });
        Assert.That(job.Text("id"), Does.StartWith("750").And.Length.EqualTo(18));
        Assert.That((job.Text("operation"), job.Text("object"), job.Text("state"), job.Text("concurrencyMode"), job.Text("contentType"), job.Text("lineEnding"), job.Text("columnDelimiter")),
            Is.EqualTo(("query", "PackageSubscriber", "UploadComplete", "Parallel", "CSV", "LF", "COMMA")));
        Assert.That(job.Text("createdById"), Does.StartWith("005"));
        Assert.That(job.GetProperty("apiVersion").GetRawText(), Is.EqualTo("62.0"));

        var info = await Admin.GetAsync($"{Jobs}/{job.Text("id")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((info.Text("state"), info.GetProperty("numberRecordsProcessed").GetInt32(), info.Text("jobType"), info.GetProperty("retries").GetInt32()),
            Is.EqualTo(("JobComplete", 30, "V2Query", 0)));

        var page = await ResultsAsync(job.Text("id"), "");
        Assert.That((page.Locator, page.Count), Is.EqualTo(("null", 30)));
        Assert.That(page.Lines[0], Is.EqualTo("\"Id\",\"OrgKey\",\"OrgName\",\"InstalledStatus\",\"MetadataPackageVersion.Name\""));
        Assert.That(page.Lines.Skip(1).Select(l => l.Split(',')[1].Trim('"')), Is.EquivalentTo(_orgs));
        Assert.That(page.Lines[1], Does.Match("^\"0Hf\\w{15}\",\"00D\\w{12}\",\"Tenant \\d+\",\"i\",\"1.0\"$"));
    }

    [Test]
    public async Task Pages_follow_locators_and_maxRecords_and_a_locator_reads_the_same_page_again()
    {
        var job = await CompletedAsync(Subscribers("OrgKey, OrgName") + " ORDER BY OrgName DESC", columnDelimiter: "TAB", lineEnding: "CRLF");
        var (locator, keys, sizes) = ("", new List<string>(), new List<int>());
        string? second = null;
        do
        {
            var page = await ResultsAsync(job, $"?maxRecords=7{(locator == "" ? "" : "&locator=" + locator)}");
            Assert.That(page.Body, Does.StartWith("\"OrgKey\"\t\"OrgName\"\r\n"));
            sizes.Add(page.Count);
            keys.AddRange(page.Lines.Skip(1).Select(l => l.Split('\t')[0].Trim('"')));
            second ??= keys.Count > 7 ? page.Body : null;
            locator = page.Locator;
            Assert.That(locator, Does.Match("^(null|[A-Za-z0-9_-]+)$"), "base64url: it goes into a URL as it is");
        }
        while (locator != "null");

        Assert.That(sizes, Is.EqualTo(new[] { 7, 7, 7, 7, 2 }));
        Assert.That(keys, Is.EquivalentTo(_orgs).And.Unique);
        var names = (await ResultsAsync(job, "?maxRecords=100")).Lines.Skip(1).Select(l => l.Split('\t')[1]).ToList();
        Assert.That(names, Is.Ordered.Descending.Using((IComparer<string>)StringComparer.Ordinal), "ORDER BY is kept across pages");

        var first = await ResultsAsync(job, "?maxRecords=7");
        var again = await ResultsAsync(job, $"?maxRecords=7&locator={first.Locator}");
        Assert.That(again.Body, Is.EqualTo(second));

        var limited = await CompletedAsync(Subscribers() + " LIMIT 10");
        var one = await ResultsAsync(limited, "?maxRecords=6");
        var two = await ResultsAsync(limited, $"?maxRecords=6&locator={one.Locator}");
        Assert.That((one.Count, two.Count, two.Locator), Is.EqualTo((6, 4, "null")), "LIMIT holds across pages");
    }

    [Test]
    public async Task An_aggregate_query_is_one_page_of_groups()
    {
        var job = await CompletedAsync($"SELECT OrgType, COUNT(Id) total FROM PackageSubscriber WHERE MetadataPackageId = '{_push.PackageId}' GROUP BY OrgType");
        var page = await ResultsAsync(job, "?maxRecords=1");
        Assert.That((page.Locator, page.Count), Is.EqualTo(("null", 1)));
        Assert.That(page.Lines, Is.EqualTo(new[] { "\"OrgType\",\"total\"", "\"Production\",\"30\"" }));
    }

    [Test]
    public async Task Jobs_are_aborted_deleted_and_listed()
    {
        var aborted = (await CreateAsync(new { operation = "queryAll", query = Subscribers() })).Text("id");
        var patched = await Admin.PatchAsJsonAsync($"{Jobs}/{aborted}", new { state = "Aborted" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(patched.Text("state"), Is.EqualTo("Aborted"));
        Assert.That((await Admin.GetAsync($"{Jobs}/{aborted}").ExpectAsync(HttpStatusCode.OK)).Text("state"), Is.EqualTo("Aborted"), "an aborted job is not run");
        await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/{aborted}/results"), HttpStatusCode.PreconditionFailed, "JOB_NOT_COMPLETE", "Current status: ABORTED");
        await ExpectErrorAsync(Admin.PatchAsJsonAsync($"{Jobs}/{aborted}", new { state = "Aborted" }), HttpStatusCode.BadRequest, "INVALIDJOBSTATE");

        var complete = await CompletedAsync(Subscribers());
        await ExpectErrorAsync(Admin.PatchAsJsonAsync($"{Jobs}/{complete}", new { state = "Aborted" }), HttpStatusCode.BadRequest, "INVALIDJOBSTATE");
        await ExpectErrorAsync(Admin.PatchAsJsonAsync($"{Jobs}/{complete}", new { state = "UploadComplete" }), HttpStatusCode.BadRequest, "INVALIDJOBSTATE");

        var list = await Admin.GetAsync(Jobs).ExpectAsync(HttpStatusCode.OK);
        Assert.That((list.GetProperty("done").GetBoolean(), list.GetProperty("nextRecordsUrl").ValueKind), Is.EqualTo((true, JsonValueKind.Null)));
        var listed = list.GetProperty("records").EnumerateArray().ToDictionary(j => j.Text("id"), j => j);
        Assert.That(listed[aborted].Text("operation"), Is.EqualTo("queryAll"));
        Assert.That((listed[complete].Text("state"), listed[complete].Text("jobType")), Is.EqualTo(("JobComplete", "V2Query")));
        var filtered = await Admin.GetAsync($"{Jobs}?isPkChunkingEnabled=false&jobType=V2Query&concurrencyMode=parallel").ExpectAsync(HttpStatusCode.OK);
        Assert.That(filtered.GetProperty("records").GetArrayLength(), Is.EqualTo(listed.Count));
        var none = await Admin.GetAsync($"{Jobs}?jobType=Classic").ExpectAsync(HttpStatusCode.OK);
        Assert.That(none.GetProperty("records").GetArrayLength(), Is.Zero);

        Assert.That((await Admin.DeleteAsync($"{Jobs}/{complete}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await Admin.DeleteAsync($"{Jobs}/{aborted}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/{complete}"), HttpStatusCode.NotFound, "NOT_FOUND");
        await ExpectErrorAsync(Admin.DeleteAsync($"{Jobs}/{complete}"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Test]
    public async Task Bad_input_gets_salesforce_errors()
    {
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = "SELECT Nope FROM PackageSubscriber" }), HttpStatusCode.BadRequest, "INVALID_FIELD", "Nope");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = "SELECT Id FROM" }), HttpStatusCode.BadRequest, "MALFORMED_QUERY");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = "SELECT Id FROM Account" }), HttpStatusCode.BadRequest, "INVALID_TYPE");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = "SELECT COUNT() FROM PackageSubscriber" }), HttpStatusCode.BadRequest, "MALFORMED_QUERY", "COUNT()");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = "SELECT Id FROM PackageSubscriber OFFSET 5" }), HttpStatusCode.BadRequest, "MALFORMED_QUERY", "OFFSET");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = "SELECT Id, (SELECT Id FROM PackagePushErrors) FROM PackagePushJob" }), HttpStatusCode.BadRequest, "MALFORMED_QUERY", "Parent-to-child");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "insert", query = Subscribers() }), HttpStatusCode.BadRequest, "INVALIDJOB", "insert");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { query = Subscribers() }), HttpStatusCode.BadRequest, "INVALIDJOB", "operation");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query" }), HttpStatusCode.BadRequest, "INVALIDJOB", "query");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = Subscribers(), columnDelimiter = "STAR" }), HttpStatusCode.BadRequest, "INVALIDJOB", "STAR");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = Subscribers(), contentType = "JSON" }), HttpStatusCode.BadRequest, "INVALIDJOB", "JSON");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Jobs, new { operation = "query", query = 5 }), HttpStatusCode.BadRequest, "JSON_PARSER_ERROR");
        await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/750000000000000AAA"), HttpStatusCode.NotFound, "NOT_FOUND");
        await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/nonsense/results"), HttpStatusCode.NotFound, "NOT_FOUND");
        await ExpectErrorAsync(Admin.GetAsync($"{Jobs}?jobType=Sideways"), HttpStatusCode.BadRequest, "API_ERROR");

        var waiting = (await CreateAsync(new { operation = "query", query = Subscribers() })).Text("id");
        await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/{waiting}/results"), HttpStatusCode.PreconditionFailed, "JOB_NOT_COMPLETE", "UPLOAD_COMPLETE");
        var job = await CompletedAsync(Subscribers());
        var other = await CompletedAsync(Subscribers());
        var page = await ResultsAsync(other, "?maxRecords=3");
        foreach (var locator in new[] { "bm9wZQ", "%%%", page.Locator, "WzEsMiwzXQ", new string('A', 5000) })
        {
            await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/{job}/results?locator={Uri.EscapeDataString(locator)}"), HttpStatusCode.BadRequest, "INVALID_QUERY_LOCATOR");
        }

        foreach (var maxRecords in new[] { "0", "-1", "ten", "1.5", "99999999999" })
        {
            await ExpectErrorAsync(Admin.GetAsync($"{Jobs}/{job}/results?maxRecords={maxRecords}"), HttpStatusCode.BadRequest, "API_ERROR", "maxRecords");
        }

        using var reader = await Server.CreateUserAndLoginAsync("Read");
        await ExpectErrorAsync(reader.GetAsync($"{Jobs}/{job}"), HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Test]
    public async Task jsforce_bulk2_query_reads_fifty_thousand_subscribers()
    {
        var output = await ClientTools.RunNodeAsync("jsforce-bulk2-query.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["PACKAGE_ID"] = _big.PackageId,
        });
        var results = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That((results.GetProperty("count").GetInt32(), results.GetProperty("distinctIds").GetInt32(), results.GetProperty("distinctOrgKeys").GetInt32()),
            Is.EqualTo((BigList, BigList, BigList)), "one page: without maxRecords the page holds every row");
        var first = results.GetProperty("first");
        Assert.That((first.Text("OrgType"), first.Text("MetadataPackageVersion.Name")), Is.EqualTo(("Production", "1.0")));
        Assert.That(first.Text("OrgKey"), Does.StartWith("00D"));
        Assert.That(results.GetProperty("queryAll").GetArrayLength(), Is.EqualTo(1));
        Assert.That(results.Text("refused"), Does.Contain("Nope"));
    }

    private async Task<JsonElement> CreateAsync(object body) => await Admin.PostAsJsonAsync(Jobs, body).ExpectAsync(HttpStatusCode.OK);

    private async Task<string> CompletedAsync(string soql, string columnDelimiter = "COMMA", string lineEnding = "LF")
    {
        var id = (await CreateAsync(new { operation = "query", query = soql, columnDelimiter, lineEnding })).Text("id");
        Assert.That((await Admin.GetAsync($"{Jobs}/{id}").ExpectAsync(HttpStatusCode.OK)).Text("state"), Is.EqualTo("JobComplete"));
        return id;
    }

    private async Task<(string Locator, int Count, string Body, string[] Lines)> ResultsAsync(string job, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Jobs}/{job}/results{query}");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await Admin.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        var count = int.Parse(response.Headers.GetValues("Sforce-NumberOfRecords").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var lines = body.Split(body.Contains('\r', StringComparison.Ordinal) ? "\r\n" : "\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(count + 1), "Sforce-NumberOfRecords counts the rows sent");
        return (response.Headers.GetValues("Sforce-Locator").Single(), count, body, lines);
    }

    private static async Task ExpectErrorAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string errorCode, string? messagePart = null)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        var error = JsonDocument.Parse(body).RootElement[0];
        Assert.That(error.Text("errorCode"), Is.EqualTo(errorCode), body);
        if (messagePart is not null)
        {
            Assert.That(error.Text("message"), Does.Contain(messagePart), body);
        }
    }
}
