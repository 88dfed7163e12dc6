using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Bulk;

/// <summary>
/// An ingest job survives the death of the server processing it: the process is killed with SIGKILL
/// after the first chunk committed, started again, and the job resumes where it stopped; every row
/// ends with exactly one result and every created push job exists once.
/// </summary>
[NonParallelizable]
public class BulkIngestCrashTests
{
    private const int Rows = 50_000;
    private readonly int _port = ServerProcess.FreePort();
    private string _connectionString = null!;
    private string _dataDirectory = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync("bulkcrash");
        _dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-bulkcrash-" + Guid.NewGuid().ToString("N")[..8]);
    }

    [OneTimeTearDown]
    public void RemoveDataDirectory()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task A_job_killed_mid_way_resumes_after_the_restart_without_losing_or_doubling_a_row()
    {
        string request, job;
        long processedAtKill;
        using (var server = StartServer())
        {
            using var client = await ClientAsync(server);
            var push = await PushScenario.CreateAsync(client, _connectionString, "bulkcrash");
            var orgs = await push.TenantsAsync(Rows);
            request = await push.RequestAsync();
            var csv = new StringBuilder("PackagePushRequestId,SubscriberOrganizationKey\n", Rows * 40);
            foreach (var org in orgs)
            {
                csv.Append(request).Append(',').Append(org).Append('\n');
            }

            job = (await client.PostAsJsonAsync("/services/data/v62.0/jobs/ingest", new { @object = "PackagePushJob", operation = "insert" }).ExpectAsync(HttpStatusCode.OK)).Text("id");
            using (var upload = await client.PutAsync($"/services/data/v62.0/jobs/ingest/{job}/batches", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
            {
                Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            }

            // Close without waiting for the answer (the server holds it while it processes), and kill
            // the process as soon as the first chunk is committed.
            var closing = client.PatchAsJsonAsync($"/services/data/v62.0/jobs/ingest/{job}", new { state = "UploadComplete" });
            var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(60);
            while ((processedAtKill = await ProcessedAsync(job)) == 0)
            {
                Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), "processing started");
                await Task.Delay(10);
            }

            server.Kill();
            _ = closing.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }

        TestContext.Out.WriteLine($"Killed with {processedAtKill} of {Rows} rows processed.");
        Assert.That(processedAtKill, Is.LessThan(Rows), "the kill came before the job finished");

        using (var server = StartServer())
        {
            using var client = await ClientAsync(server);
            var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(120);
            while (true)
            {
                var info = await client.GetAsync($"/services/data/v62.0/jobs/ingest/{job}").ExpectAsync(HttpStatusCode.OK);
                if (info.Text("state") == "JobComplete")
                {
                    Assert.That((info.GetProperty("numberRecordsProcessed").GetInt32(), info.GetProperty("numberRecordsFailed").GetInt32()), Is.EqualTo((Rows, 0)));
                    break;
                }

                Assert.That(info.Text("state"), Is.AnyOf("UploadComplete", "InProgress"));
                Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), "the job resumed and finished after the restart");
                await Task.Delay(200);
            }

            var successful = await client.GetStringAsync($"/services/data/v62.0/jobs/ingest/{job}/successfulResults");
            Assert.That(successful.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(Rows + 1));
        }

        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var requestNumber);
        Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {requestNumber}"), Is.EqualTo(Rows), "no row was lost or created twice");
        Assert.That(await ScalarAsync("SELECT count(*) FROM bulk_ingest_chunks WHERE record_ids IS NULL"), Is.Zero, "every chunk was processed");
        Assert.That(await ScalarAsync("SELECT count(DISTINCT id) FROM bulk_ingest_chunks, unnest(record_ids) AS id WHERE id IS NOT NULL"), Is.EqualTo(Rows), "each row names its own push job");
        Assert.That(await ScalarAsync($"SELECT job_count FROM push_requests WHERE id = {requestNumber}"), Is.EqualTo(Rows), "the request's counter was kept in step");
    }

    private ServerProcess StartServer() => ServerProcess.Start(Path.GetTempPath(), port: _port, environment: new Dictionary<string, string?>
    {
        ["ConnectionStrings__PushApi"] = _connectionString,
        ["PushApi__DataDirectory"] = _dataDirectory,
        ["PushApi__Bootstrap__Username"] = "admin@bulkcrash.test",
        ["PushApi__Bootstrap__Password"] = "Password-1",
        ["PushApi__Execution__Enabled"] = "false",
        ["PushApi__RateLimit__RequestsPerSecond"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    });

    private static Task<HttpClient> ClientAsync(ServerProcess server) => server.LoginAsync("admin@bulkcrash.test", "Password-1", TimeSpan.FromSeconds(120));

    private async Task<long> ProcessedAsync(string job)
    {
        Core.Ids.SalesforceId.TryParseNumber(job, "750", out var number);
        return await ScalarAsync($"SELECT records_processed::bigint FROM bulk_ingest_jobs WHERE id = {number}");
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
