using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// <c>POST composite</c>: subrequests through their own endpoints, <c>@{ref…}</c> references, allOrNone as one
/// transaction (checked in the database), references that find nothing, and bodies refused whole.
/// </summary>
public partial class CompositeTests
{
    private const string V62 = "/services/data/v62.0";
    private const string RolledBack = "The transaction was rolled back since another operation in the same transaction failed.";

    private static object Sub(string method, string url, string referenceId, object? body = null) => new { method, url, referenceId, body };

    private static object Job(string request, string org) => new { attributes = new { type = "PackagePushJob" }, PackagePushRequestId = request, SubscriberOrganizationKey = org };

    private async Task<List<JsonElement>> CompositeAsync(bool allOrNone, params object[] subrequests)
    {
        var result = await Admin.PostAsJsonAsync($"{V62}/composite", new { allOrNone, compositeRequest = subrequests }).ExpectAsync(HttpStatusCode.OK);
        var answers = result.GetProperty("compositeResponse").EnumerateArray().ToList();
        Assert.That(answers, Has.Count.EqualTo(subrequests.Length));
        return answers;
    }

    /// <summary>All push requests and jobs in the database: what a rolled-back call must leave as it was.</summary>
    private async Task<(long Requests, long Jobs)> RowCountsAsync()
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (SELECT count(*) FROM push_requests), (SELECT count(*) FROM push_jobs)", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static int Status(JsonElement answer) => answer.GetProperty("httpStatusCode").GetInt32();

    private static string ErrorCode(JsonElement answer) => answer.GetProperty("body")[0].Text("errorCode");

    [Test]
    public async Task A_push_request_its_jobs_and_its_schedule_are_one_call_with_references()
    {
        // Orgs no other test of the class adds: once scheduled, they can join no other request (AlreadyScheduled).
        var answers = await CompositeAsync(
            true,
            Sub("POST", $"{V62}/sobjects/PackagePushRequest", "req", new { PackageVersionId = _version }),
            Sub("POST", $"{V62}/composite/sobjects", "jobs", new { records = _orgs.Skip(440).Take(3).Select(o => Job("@{req.id}", o)) }),
            Sub("PATCH", $"{V62}/sobjects/PackagePushRequest/@{{req.id}}", "schedule", new { Status = "Pending" }),
            Sub("GET", $"{V62}/query?q=SELECT+Id,Status+FROM+PackagePushJob+WHERE+PackagePushRequestId='@{{req.id}}'+ORDER+BY+Id", "q"),
            Sub("GET", $"{V62}/sobjects/PackagePushJob/@{{q.records[0].Id}}?fields=Id,SubscriberOrganizationKey", "first"));

        Assert.That(answers.Select(Status), Is.EqualTo(new[] { 201, 200, 204, 200, 200 }));
        Assert.That(answers.Select(a => a.Text("referenceId")), Is.EqualTo(new[] { "req", "jobs", "schedule", "q", "first" }));
        var request = answers[0].GetProperty("body").Text("id");
        Assert.That(answers[0].GetProperty("httpHeaders").Text("Location"), Is.EqualTo($"{V62}/sobjects/PackagePushRequest/{request}"));
        Assert.That(answers[1].GetProperty("body").EnumerateArray().Select(r => r.GetProperty("success").GetBoolean()), Has.All.True);
        Assert.That(answers[2].GetProperty("body").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var query = answers[3].GetProperty("body");
        Assert.That(query.GetProperty("totalSize").GetInt32(), Is.EqualTo(3), "the query inside the transaction sees the jobs written before it");
        Assert.That(query.GetProperty("records").EnumerateArray().Select(r => r.Text("Status")), Has.All.EqualTo("Pending"));
        Assert.That(answers[4].GetProperty("body").Text("Id"), Is.EqualTo(query.GetProperty("records")[0].Text("Id")));

        Assert.That(await JobCountAsync(request), Is.EqualTo(3), "committed");
        var record = await Admin.GetFromJsonAsync<JsonElement>($"{V62}/sobjects/PackagePushRequest/{request}");
        Assert.That(record.Text("Status"), Is.EqualTo("Pending"));
    }

    [Test]
    public async Task With_allOrNone_one_failure_rolls_back_every_write_and_halts_the_others()
    {
        var before = await RowCountsAsync();
        var answers = await CompositeAsync(
            true,
            Sub("POST", $"{V62}/sobjects/PackagePushRequest", "req", new { PackageVersionId = _version }),
            Sub("POST", $"{V62}/sobjects/PackagePushJob", "good", Job("@{req.id}", _orgs[320])),
            Sub("POST", $"{V62}/sobjects/PackagePushJob", "twice", Job("@{req.id}", _orgs[320])),
            Sub("PATCH", $"{V62}/sobjects/PackagePushRequest/@{{req.id}}", "schedule", new { Status = "Pending" }));

        Assert.That(answers.Select(Status), Has.All.EqualTo(400));
        Assert.That(ErrorCode(answers[2]), Is.EqualTo("DUPLICATE_VALUE"), "the failing subrequest keeps its own error");
        foreach (var halted in new[] { answers[0], answers[1], answers[3] })
        {
            Assert.That(ErrorCode(halted), Is.EqualTo("PROCESSING_HALTED"));
            Assert.That(halted.GetProperty("body")[0].Text("message"), Is.EqualTo(RolledBack));
        }

        Assert.That(await RowCountsAsync(), Is.EqualTo(before), "nothing was written");
    }

    [Test]
    public async Task With_allOrNone_a_collection_that_fails_in_part_rolls_back_everything()
    {
        // The composite call's allOrNone overrides the collection's own allOrNone=false, as on Salesforce.
        var before = await RowCountsAsync();
        var answers = await CompositeAsync(
            true,
            Sub("POST", $"{V62}/sobjects/PackagePushRequest", "req", new { PackageVersionId = _version }),
            Sub("POST", $"{V62}/composite/sobjects", "jobs", new { allOrNone = false, records = new[] { Job("@{req.id}", _orgs[330]), Job("@{req.id}", "00D000000000zzz") } }));

        Assert.That(ErrorCode(answers[0]), Is.EqualTo("PROCESSING_HALTED"));
        var saves = answers[1].GetProperty("body").EnumerateArray().ToList();
        Assert.That(saves.Select(s => s.GetProperty("success").GetBoolean()), Is.EqualTo(new[] { false, false }));
        Assert.That(await RowCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Without_allOrNone_only_the_subrequests_that_reference_a_failed_one_are_halted()
    {
        var answers = await CompositeAsync(
            false,
            Sub("POST", $"{V62}/sobjects/PackagePushRequest", "bad", new { PackageVersionId = "04t000000000zzzAAA" }),
            Sub("POST", $"{V62}/sobjects/PackagePushJob", "orphan", Job("@{bad.id}", _orgs[340])),
            Sub("POST", $"{V62}/sobjects/PackagePushRequest", "good", new { PackageVersionId = _version }),
            Sub("GET", $"{V62}/query?q=SELECT+Id+FROM+PackagePushRequest+WHERE+Id='@{{good.id}}'", "check"),
            Sub("GET", $"{V62}/sobjects/PackagePushRequest/@{{later.id}}", "forward"),
            Sub("GET", $"{V62}/sobjects/PackagePushRequest/@{{check.records[5].Id}}", "later"));

        Assert.That(answers.Select(Status), Is.EqualTo(new[] { 400, 400, 201, 200, 400, 400 }));
        Assert.That(ErrorCode(answers[0]), Is.Not.EqualTo("PROCESSING_HALTED"));
        Assert.That(ErrorCode(answers[1]), Is.EqualTo("PROCESSING_HALTED"));
        Assert.That(answers[1].GetProperty("body")[0].Text("message"), Is.EqualTo("Invalid reference specified. No value for bad.id found in bad."));
        Assert.That(ErrorCode(answers[4]), Is.EqualTo("PROCESSING_HALTED"), "a reference to a later subrequest finds nothing");
        Assert.That(answers[5].GetProperty("body")[0].Text("message"), Does.Contain("check.records[5].Id"));
        Assert.That(answers[3].GetProperty("body").GetProperty("totalSize").GetInt32(), Is.EqualTo(1));
        var good = answers[2].GetProperty("body").Text("id");
        Assert.That((await Admin.GetAsync($"{V62}/sobjects/PackagePushRequest/{good}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "committed on its own");
    }

    [TestCase("{\"compositeRequest\":[]}", "INVALID_INPUT")]
    [TestCase("{\"allOrNone\":true}", "JSON_PARSER_ERROR")]
    [TestCase("[1,2]", "JSON_PARSER_ERROR")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"FETCH\",\"url\":\"/services/data/v62.0/query?q=x\",\"referenceId\":\"a\"}]}", "JSON_PARSER_ERROR")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/api/v1/packages\",\"referenceId\":\"a\"}]}", "INVALID_INPUT")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"POST\",\"url\":\"/services/data/v62.0/composite/tree/PackagePushJob\",\"referenceId\":\"a\"}]}", "INVALID_INPUT")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/services/data/v62.0/composite\",\"referenceId\":\"a\"}]}", "INVALID_INPUT")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/services/data/v62.0/limits\",\"referenceId\":\"a\"}]}", "INVALID_INPUT")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/services/data/v62.0/sobjects\",\"referenceId\":\"a-b\"}]}", "INVALID_INPUT")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/services/data/v62.0/sobjects\"}]}", "INVALID_INPUT")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/services/data/v62.0/sobjects\",\"referenceId\":\"a\",\"httpHeaders\":[1]}]}", "JSON_PARSER_ERROR")]
    [TestCase("{\"compositeRequest\":[{\"method\":\"GET\",\"url\":\"/services/data/v62.0/sobjects\",\"referenceId\":\"a\"},{\"method\":\"GET\",\"url\":\"/services/data/v62.0/sobjects\",\"referenceId\":\"a\"}]}", "INVALID_INPUT")]
    public async Task A_malformed_composite_body_is_refused_whole(string body, string errorCode)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        var error = await Admin.PostAsync($"{V62}/composite", content).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(error[0].Text("errorCode"), Is.EqualTo(errorCode));
        Assert.That(error[0].Text("message"), Does.Not.Contain("System.").And.Not.Contain("PushApi."));
    }

    [Test]
    public async Task Limits_of_25_subrequests_and_5_queries_are_checked_before_anything_runs()
    {
        var before = await RowCountsAsync();
        var creates = Enumerable.Range(0, 26).Select(i => Sub("POST", $"{V62}/sobjects/PackagePushRequest", $"r{i}", new { PackageVersionId = _version })).ToArray();
        var tooMany = await Admin.PostAsJsonAsync($"{V62}/composite", new { compositeRequest = creates }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(tooMany[0].Text("errorCode"), Is.EqualTo("LIMIT_EXCEEDED"));

        var queries = Enumerable.Range(0, 6).Select(i => Sub("GET", $"{V62}/query?q=SELECT+Id+FROM+MetadataPackage", $"q{i}")).Prepend(creates[0]).ToArray();
        var tooManyQueries = await Admin.PostAsJsonAsync($"{V62}/composite", new { compositeRequest = queries }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(tooManyQueries[0].Text("errorCode"), Is.EqualTo("LIMIT_EXCEEDED"));
        Assert.That(await RowCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Subrequests_answer_as_their_own_endpoints_do()
    {
        var answers = await CompositeAsync(
            false,
            Sub("GET", $"{V62}/sobjects/Gadget/0DV000000000001", "unknownType"),
            Sub("DELETE", $"{V62}/sobjects/PackagePushRequest/0DV000000000001", "delete"),
            Sub("GET", "/services/data/v7.0/sobjects", "oldVersion"),
            Sub("GET", $"{V62}/query?q=SELECT+Nope+FROM+PackagePushJob", "badQuery"),
            Sub("POST", $"{V62}/sobjects/PackagePushRequest", "badJson", new[] { 1 }),
            Sub("GET", $"{V62}/sobjects/PackagePushRequest/describe", "describe"));

        Assert.That(answers.Select(Status), Is.EqualTo(new[] { 404, 405, 404, 400, 400, 200 }));
        Assert.That(answers.Take(5).Select(ErrorCode), Is.EqualTo(new[] { "NOT_FOUND", "METHOD_NOT_ALLOWED", "NOT_FOUND", "INVALID_FIELD", "JSON_PARSER_ERROR" }));
        Assert.That(answers[5].GetProperty("body").Text("name"), Is.EqualTo("PackagePushRequest"));
    }
}
