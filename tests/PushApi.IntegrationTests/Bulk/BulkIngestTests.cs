using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Bulk;

/// <summary>
/// Bulk API 2.0 ingest over HTTP, as jsforce's IngestJobV2 drives it for the sf CLI: create, upload
/// one CSV, close, poll, read the result files; per-row failures, the CSV dialects, the refusals,
/// abort and delete, and 100,000 rows loaded in one job.
/// </summary>
[NonParallelizable]
public class BulkIngestTests() : ApiFixture("bulk-ingest", runPushes: false)
{
    private const string Ingest = "/services/data/v62.0/jobs/ingest";
    private PushScenario _push = null!;
    private List<string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "bulk");
        _orgs = await _push.TenantsAsync(30);
    }

    [Test]
    public async Task A_job_loads_push_jobs_and_reports_every_row()
    {
        var request = await _push.RequestAsync();
        var other = await _push.RequestAsync();
        await _push.AddJobsAsync(other, [_orgs[9]]);
        await _push.ScheduleAsync(other);

        var job = await CreateJobAsync();
        Assert.That(job.Text("id"), Does.StartWith("750").And.Length.EqualTo(18));
        Assert.That((job.Text("operation"), job.Text("object"), job.Text("state"), job.Text("contentType"), job.Text("lineEnding"), job.Text("columnDelimiter")),
            Is.EqualTo(("insert", "PackagePushJob", "Open", "CSV", "LF", "COMMA")), "jsforce needs operation echoed, or it writes an extra Id column");
        Assert.That(job.Text("contentUrl"), Is.EqualTo($"services/data/v62.0/jobs/ingest/{job.Text("id")}/batches"));
        Assert.That(job.GetProperty("apiVersion").GetRawText(), Is.EqualTo("62.0"));

        var csv = new StringBuilder("PackagePushRequestId,SubscriberOrganizationKey\n");
        foreach (var org in _orgs.Take(5))
        {
            csv.Append(request).Append(',').Append(org).Append('\n');
        }

        csv.Append(request).Append(',').Append(_orgs[0]).Append('\n');              // duplicate of row 1
        csv.Append(request).Append(",00DnoSuchOrg000\n");                         // unknown org
        csv.Append(other).Append(',').Append(_orgs[6]).Append('\n');              // request no longer Created
        csv.Append(Core.Ids.SalesforceId.Format("0DV", 987_654)).Append(',').Append(_orgs[7]).Append('\n');          // no such request
        csv.Append(request).Append('\n');                                         // too few values
        csv.Append('"').Append(request).Append("\",\"").Append(_orgs[8]).Append("\"\n"); // quoted cells
        var analysed = await ScalarAsync(AnalyseCount);
        await UploadAsync(job.Text("id"), csv.ToString(), HttpStatusCode.Created);

        var closed = await Admin.PatchAsJsonAsync($"{Ingest}/{job.Text("id")}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(closed.Text("state"), Is.AnyOf("UploadComplete", "InProgress", "JobComplete"));
        var info = await WaitForJobAsync(job.Text("id"));
        Assert.That((info.Text("state"), info.GetProperty("numberRecordsProcessed").GetInt32(), info.GetProperty("numberRecordsFailed").GetInt32(), info.Text("jobType")),
            Is.EqualTo(("JobComplete", 11, 5, "V2Ingest")));
        Assert.That(await ScalarAsync(AnalyseCount), Is.EqualTo(analysed), "a few jobs leave the statistics to autovacuum");

        var succeeded = await ResultAsync(job.Text("id"), "successfulResults");
        Assert.That(succeeded[0], Is.EqualTo("\"sf__Id\",\"sf__Created\",PackagePushRequestId,SubscriberOrganizationKey"));
        Assert.That(succeeded.Skip(1).Select(l => l.Split(',')[3].Trim('"')), Is.EqualTo(_orgs.Take(5).Append(_orgs[8])));
        Assert.That(succeeded.Skip(1).All(l => l.StartsWith("\"0DX", StringComparison.Ordinal) && l.Contains(",\"true\",", StringComparison.Ordinal)), Is.True);

        var failed = await ResultAsync(job.Text("id"), "failedResults");
        Assert.That(failed[0], Is.EqualTo("\"sf__Id\",\"sf__Error\",PackagePushRequestId,SubscriberOrganizationKey"));
        var errors = failed.Skip(1).Select(l => l.Split("\",\"")[1]).ToList();
        Assert.That(errors, Has.Count.EqualTo(5));
        Assert.That(errors[0], Does.StartWith("DUPLICATE_VALUE:").And.EndWith(" --"));
        Assert.That(errors[1], Does.StartWith("INVALID_OPERATION:").And.Contains("00DnoSuchOrg000"));
        Assert.That(errors[2], Does.StartWith("INVALID_OPERATION:").Or.StartWith("INVALID_CROSS_REFERENCE_KEY:"));
        Assert.That(errors[3], Does.StartWith("INVALID_CROSS_REFERENCE_KEY:"));
        Assert.That(errors[4], Does.StartWith("INVALID_FIELD:").And.Contains("1 values"));
        Assert.That(await ResultAsync(job.Text("id"), "unprocessedrecords"), Is.EqualTo(new[] { "PackagePushRequestId,SubscriberOrganizationKey" }));

        var jobs = await _push.JobStatusesAsync(request);
        Assert.That(jobs.Keys, Is.EquivalentTo(_orgs.Take(5).Append(_orgs[8])), "the database holds exactly the rows reported as created");
        await _push.AssertCountersMatchAsync(request);
    }

    [Test]
    public async Task Semicolon_CRLF_quoted_and_BOM_uploads_are_read_and_answered_in_the_same_dialect()
    {
        var request = await _push.RequestAsync();
        var job = await Admin.PostAsJsonAsync(Ingest, new { @object = "PackagePushJob", operation = "insert", columnDelimiter = "SEMICOLON", lineEnding = "CRLF", contentType = "CSV" })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That((job.Text("columnDelimiter"), job.Text("lineEnding")), Is.EqualTo(("SEMICOLON", "CRLF")));
        var csv = "\uFEFF\"SubscriberOrganizationKey\";PackagePushRequestId\r\n" + $"\"{_orgs[10]}\";{request}\r\n\r\n" + $" {_orgs[11]} ;\"{request}\"\r\n";
        await UploadAsync(job.Text("id"), csv, HttpStatusCode.Created);
        await Admin.PatchAsJsonAsync($"{Ingest}/{job.Text("id")}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);
        var info = await WaitForJobAsync(job.Text("id"));
        Assert.That((info.GetProperty("numberRecordsProcessed").GetInt32(), info.GetProperty("numberRecordsFailed").GetInt32()), Is.EqualTo((2, 0)),
            "an org key with spaces around it is trimmed like every other client's");

        using var response = await Admin.GetAsync($"{Ingest}/{job.Text("id")}/successfulResults");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        Assert.That(text, Does.StartWith("\"sf__Id\";\"sf__Created\";SubscriberOrganizationKey;PackagePushRequestId\r\n"));
        Assert.That(text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task Wrong_jobs_uploads_and_state_changes_are_refused_with_bulk_errors()
    {
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Ingest, new { @object = "PackagePushRequest", operation = "insert" }), HttpStatusCode.BadRequest, "INVALIDJOB", "PackagePushJob");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Ingest, new { @object = "Account", operation = "insert" }), HttpStatusCode.BadRequest, "INVALIDJOB", "Account");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Ingest, new { @object = "PackagePushJob", operation = "upsert" }), HttpStatusCode.BadRequest, "INVALIDJOB", "upsert");
        await ExpectErrorAsync(Admin.PostAsJsonAsync(Ingest, new { @object = "PackagePushJob", operation = "insert", columnDelimiter = "STAR" }), HttpStatusCode.BadRequest, "INVALIDJOB", "columnDelimiter");
        await ExpectErrorAsync(Admin.PostAsync(Ingest, new StringContent("{not json", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "JSON_PARSER_ERROR", "JSON");
        await ExpectErrorAsync(Admin.GetAsync($"{Ingest}/750000000000000AAA"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        await ExpectErrorAsync(Admin.GetAsync($"{Ingest}/nonsense/failedResults"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");

        foreach (var (csv, reason) in new[]
        {
            ("Foo,Bar\n1,2\n", "Field name not found : Foo"),
            ("Id,PackagePushRequestId\n", "Field name not found : Id"),
            ("", "empty"),
            ("PackagePushRequestId\n\"unclosed\n", "could not be read"),
            ("PackagePushRequestId,SubscriberOrganizationKey\n0DV000000000001AAA,00D\u0000x\n", "NUL character"),
        })
        {
            // Salesforce fails a job whose data it cannot read: the upload is refused, nothing of it is kept, and the job says why.
            var refused = (await CreateJobAsync()).Text("id");
            await ExpectErrorAsync(Admin.PutAsync($"{Ingest}/{refused}/batches", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest, "INVALIDJOB", reason);
            var failed = await Admin.GetAsync($"{Ingest}/{refused}").ExpectAsync(HttpStatusCode.OK);
            Assert.That(failed.Text("state"), Is.EqualTo("Failed"), csv);
            Assert.That(failed.Text("errorMessage"), Does.Contain(reason), csv);
            await ExpectErrorAsync(Admin.PatchAsJsonAsync($"{Ingest}/{refused}", new { state = "UploadComplete" }), HttpStatusCode.BadRequest, "INVALIDJOBSTATE", "Failed");
            Assert.That(await ScalarAsync($"SELECT count(*) FROM bulk_ingest_chunks WHERE job_id = {Number(refused, "750")}"), Is.Zero, csv);
        }

        var job = (await CreateJobAsync()).Text("id");
        await ExpectErrorAsync(Admin.PutAsync($"{Ingest}/{job}/batches", new StringContent("{}", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "INVALIDJOB", "text/csv");
        await UploadAsync(job, "PackagePushRequestId,SubscriberOrganizationKey\n", HttpStatusCode.Created);
        await ExpectErrorAsync(Admin.PutAsync($"{Ingest}/{job}/batches", new StringContent("PackagePushRequestId\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest, "INVALIDJOB", "multiple contents");
        await ExpectErrorAsync(Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "JobComplete" }), HttpStatusCode.BadRequest, "INVALIDJOBSTATE", "UploadComplete or Aborted");

        await Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((await WaitForJobAsync(job)).GetProperty("numberRecordsProcessed").GetInt32(), Is.Zero, "a job of a header only completes with nothing processed");
        await ExpectErrorAsync(Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "Aborted" }), HttpStatusCode.BadRequest, "INVALIDJOBSTATE", "JobComplete");
        await ExpectErrorAsync(Admin.PutAsync($"{Ingest}/{job}/batches", new StringContent("PackagePushRequestId\n", Encoding.UTF8, "text/csv")), HttpStatusCode.BadRequest, "INVALIDJOBSTATE", "Open");

        using var reader = await Server.CreateUserAndLoginAsync("Read");
        await ExpectErrorAsync(reader.PostAsJsonAsync(Ingest, new { @object = "PackagePushJob", operation = "insert" }), HttpStatusCode.Forbidden, "INSUFFICIENT_ACCESS", "permission");
        await ExpectErrorAsync(reader.GetAsync($"{Ingest}/{job}"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        using var anonymous = Server.Anonymous();
        await ExpectErrorAsync(anonymous.GetAsync(Ingest), HttpStatusCode.Unauthorized, "INVALID_SESSION_ID", "Session");
    }

    [Test]
    public async Task A_job_belongs_to_its_creator_and_an_admin_while_other_users_cannot_see_or_touch_it()
    {
        var request = await _push.RequestAsync();
        using var owner = await Server.CreateUserAndLoginAsync("PushUpgrade");
        using var other = await Server.CreateUserAndLoginAsync("PushUpgrade");
        var job = (await owner.PostAsJsonAsync(Ingest, new { @object = "PackagePushJob", operation = "insert" }).ExpectAsync(HttpStatusCode.OK)).Text("id");
        var csv = $"PackagePushRequestId,SubscriberOrganizationKey\n{request},{_orgs[25]}\n";

        await ExpectErrorAsync(other.GetAsync($"{Ingest}/{job}"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        await ExpectErrorAsync(other.PutAsync($"{Ingest}/{job}/batches", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        await ExpectErrorAsync(other.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "Aborted" }), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        await ExpectErrorAsync(other.DeleteAsync($"{Ingest}/{job}"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        await ExpectErrorAsync(other.GetAsync($"{Ingest}/{job}/successfulResults"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        var theirs = await other.GetAsync(Ingest).ExpectAsync(HttpStatusCode.OK);
        Assert.That(theirs.GetProperty("records").EnumerateArray().Select(r => r.Text("id")), Does.Not.Contain(job), "the list holds the caller's own jobs");

        using (var upload = await owner.PutAsync($"{Ingest}/{job}/batches", new StringContent(csv, Encoding.UTF8, "text/csv")))
        {
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the other user's attempts changed nothing");
        }

        var seen = await Admin.GetAsync(Ingest).ExpectAsync(HttpStatusCode.OK);
        Assert.That(seen.GetProperty("records").EnumerateArray().Select(r => r.Text("id")), Does.Contain(job), "an admin sees every job");
        await Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That((await WaitForJobAsync(job)).GetProperty("numberRecordsProcessed").GetInt32(), Is.EqualTo(1));
        Assert.That((await owner.GetAsync($"{Ingest}/{job}").ExpectAsync(HttpStatusCode.OK)).Text("state"), Is.EqualTo("JobComplete"));
    }

    [Test]
    public async Task An_aborted_job_keeps_its_rows_unprocessed_and_a_deleted_job_is_gone()
    {
        var request = await _push.RequestAsync();
        var job = (await CreateJobAsync()).Text("id");
        await UploadAsync(job, $"PackagePushRequestId,SubscriberOrganizationKey\n{request},{_orgs[20]}\n{request},{_orgs[21]}\n", HttpStatusCode.Created);
        var aborted = await Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "Aborted" }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(aborted.Text("state"), Is.EqualTo("Aborted"));
        Assert.That(await ResultAsync(job, "unprocessedrecords"), Is.EqualTo(new[]
        {
            "PackagePushRequestId,SubscriberOrganizationKey", $"\"{request}\",\"{_orgs[20]}\"", $"\"{request}\",\"{_orgs[21]}\"",
        }));
        Assert.That(await _push.JobStatusesAsync(request), Is.Empty);

        var list = await Admin.GetAsync(Ingest).ExpectAsync(HttpStatusCode.OK);
        Assert.That(list.GetProperty("done").GetBoolean(), Is.True);
        Assert.That(list.GetProperty("records").EnumerateArray().Select(r => r.Text("id")), Does.Contain(job));

        using (var deleted = await Admin.DeleteAsync($"{Ingest}/{job}"))
        {
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        await ExpectErrorAsync(Admin.GetAsync($"{Ingest}/{job}"), HttpStatusCode.NotFound, "NOT_FOUND", "does not exist");
        Assert.That(await ScalarAsync($"SELECT count(*) FROM bulk_ingest_chunks WHERE job_id = {Number(job, "750")}"), Is.Zero,
            "deleting a job deletes its uploaded rows");
    }

    [Test]
    public async Task A_hundred_thousand_rows_load_in_one_job_with_per_row_failures()
    {
        const int rows = 100_000;
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "bulk100k");
        var orgs = await push.TenantsAsync(rows);
        var request = await push.RequestAsync();
        var csv = new StringBuilder("PackagePushRequestId,SubscriberOrganizationKey\n", rows * 40);
        foreach (var org in orgs)
        {
            csv.Append(request).Append(',').Append(org).Append('\n');
        }

        csv.Append(request).Append(',').Append(orgs[42]).Append('\n').Append(request).Append(",00DnoSuchOrg999\n");
        var job = (await CreateJobAsync()).Text("id");
        var analysed = await ScalarAsync(AnalyseCount);
        var watch = Stopwatch.StartNew();
        await UploadAsync(job, csv.ToString(), HttpStatusCode.Created);
        var uploaded = watch.Elapsed;
        await Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);
        var info = await WaitForJobAsync(job, TimeSpan.FromMinutes(3));
        TestContext.Out.WriteLine($"100,002 rows: upload {uploaded.TotalSeconds:0.00} s, upload to JobComplete {watch.Elapsed.TotalSeconds:0.00} s, processing {info.GetProperty("totalProcessingTime").GetInt64()} ms.");

        Assert.That((info.Text("state"), info.GetProperty("numberRecordsProcessed").GetInt32(), info.GetProperty("numberRecordsFailed").GetInt32()),
            Is.EqualTo(("JobComplete", rows + 2, 2)));
        var failed = await ResultAsync(job, "failedResults");
        Assert.That(failed.Skip(1).Select(l => l.Split("\",\"")[1].Split(':')[0]), Is.EqualTo(new[] { "DUPLICATE_VALUE", "INVALID_OPERATION" }));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs j JOIN push_requests r ON r.id = j.request_id WHERE r.id = {Number(request, "0DV")}"), Is.EqualTo(rows));
        Assert.That((await ResultAsync(job, "successfulResults")).Length, Is.EqualTo(rows + 1));
        await push.AssertCountersMatchAsync(request);
        // The planner knew of the 100,000 new jobs before the job said it was complete (autovacuum counts apart).
        Assert.That(await ScalarAsync(AnalyseCount), Is.GreaterThan(analysed), "push_jobs analysed once the rows were in");
    }

    [Test]
    public async Task Rows_repeating_an_earlier_chunk_the_same_chunk_or_an_existing_job_fail_as_duplicates_and_the_count_equals_a_recount()
    {
        // Two chunks: the second is read and parsed while the first is written, and its repeats must still be caught.
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "bulkdup");
        var orgs = await push.TenantsAsync(Core.Bulk.BulkIngestJobs.ChunkSize + 10);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, [orgs[5]]);
        var csv = new StringBuilder("PackagePushRequestId,SubscriberOrganizationKey\n", orgs.Count * 40);
        foreach (var org in orgs)
        {
            csv.Append(request).Append(',').Append(org).Append('\n');                              // row 6: already a job of the request
        }

        csv.Append(request).Append(',').Append(orgs[1]).Append('\n');                               // repeats a row of the first chunk
        csv.Append(request).Append(',').Append(orgs[^1]).Append('\n');                              // repeats a row of its own chunk
        csv.Append(request).Append(',').Append(orgs[2]).Append(",extra\n");                         // too many values
        var job = (await CreateJobAsync()).Text("id");
        await UploadAsync(job, csv.ToString(), HttpStatusCode.Created);
        await Admin.PatchAsJsonAsync($"{Ingest}/{job}", new { state = "UploadComplete" }).ExpectAsync(HttpStatusCode.OK);
        var info = await WaitForJobAsync(job, TimeSpan.FromMinutes(2));

        Assert.That((info.Text("state"), info.GetProperty("numberRecordsProcessed").GetInt32(), info.GetProperty("numberRecordsFailed").GetInt32()),
            Is.EqualTo(("JobComplete", orgs.Count + 3, 4)));
        var failed = (await ResultAsync(job, "failedResults")).Skip(1).Select(l => l.Split("\",\"")).ToList();
        Assert.That(failed.Select(f => f[1].Split(':')[0]), Is.EqualTo(new[] { "DUPLICATE_VALUE", "DUPLICATE_VALUE", "DUPLICATE_VALUE", "INVALID_FIELD" }), "failures in row order");
        Assert.That(failed.Take(3).Select(f => f[3].Trim('"')), Is.EqualTo(new[] { orgs[5], orgs[1], orgs[^1] }));
        Assert.That((await ResultAsync(job, "successfulResults")).Length, Is.EqualTo(orgs.Count - 1 + 1), "every other row created, plus the header");
        Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {Number(request, "0DV")}"), Is.EqualTo(orgs.Count), "one job per org, none twice");
        await push.AssertCountersMatchAsync(request);
    }

    /// <summary>How many times push_jobs was analysed by a statement (autovacuum's analyses are counted apart).</summary>
    private const string AnalyseCount = "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'push_jobs'";

    private async Task<JsonElement> CreateJobAsync() =>
        await Admin.PostAsJsonAsync(Ingest, new { @object = "PackagePushJob", operation = "insert" }).ExpectAsync(HttpStatusCode.OK);

    private async Task UploadAsync(string job, string csv, HttpStatusCode expected)
    {
        using var content = new StringContent(csv, new UTF8Encoding(false), "text/csv");
        using var response = await Admin.PutAsync($"{Ingest}/{job}/batches", content);
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> WaitForJobAsync(string job, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var info = await Admin.GetAsync($"{Ingest}/{job}").ExpectAsync(HttpStatusCode.OK);
            if (info.Text("state") is "JobComplete" or "Failed" or "Aborted")
            {
                return info;
            }

            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), $"job {job} still {info.Text("state")}");
            await Task.Delay(100);
        }
    }

    private async Task<string[]> ResultAsync(string job, string kind)
    {
        var text = await Admin.GetStringAsync($"{Ingest}/{job}/{kind}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static long Number(string id, string prefix) =>
        Core.Ids.SalesforceId.TryParseNumber(id, prefix, out var number) ? number : throw new ArgumentException(id);

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExpectErrorAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string code, string messagePart)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        var error = JsonDocument.Parse(body).RootElement[0];
        Assert.That(error.Text("errorCode"), Is.EqualTo(code), body);
        Assert.That(error.Text("message"), Does.Contain(messagePart).IgnoreCase, body);
    }
}
