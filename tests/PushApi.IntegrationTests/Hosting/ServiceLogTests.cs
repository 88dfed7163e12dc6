using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

/// <summary>
/// What the service's log says while it works, read from a real server process's output: a push's lifecycle (scheduled
/// by whom, started, progress while it runs, finished with counts) and its failures as groups, not one line per job;
/// one line per request with user, path, status and duration; a client's conflict never logged as a failure with a
/// stack trace; and the same as JSON lines when asked.
/// </summary>
[NonParallelizable]
public class ServiceLogTests
{
    private const string Admin = "admin@logs.test";
    private const string Password = "Password-1";

    [Test]
    public async Task A_push_logs_its_lifecycle_progress_and_failure_groups_and_requests_are_logged_without_stack_traces()
    {
        await using var agent = await FakeAgent.StartAsync();
        agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(250) };
        var connectionString = await TestPostgres.CreateDatabaseAsync("logs");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-logs-" + Guid.NewGuid().ToString("N")[..8]);
        using var server = Start(connectionString, dataDirectory);
        using var admin = await server.LoginAsync(Admin, Password);
        var push = await PushScenario.CreateAsync(admin, connectionString, "logs");
        var orgs = await push.TenantsAsync(24, agent.AgentFor());
        const string apexFailure = """{"errorType":"DeployError","errorTitle":"Apex Compile Failure","errorMessage":"Class Foo does not compile","errorSeverity":"Error"}""";
        foreach (var org in orgs.Take(5))
        {
            agent.Set(org, new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(250), Statuses = [409], ErrorBody = apexFailure });
        }

        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        await push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded", "Failed");

        // A client's conflict: a namespace prefix taken. A SOAP client's mistake: an unknown session (a fault, HTTP 500 as SOAP has it).
        await admin.PostAsJsonAsync("/api/v1/packages", new { name = "Again", namespacePrefix = "logs" }).ExpectAsync(HttpStatusCode.Conflict);
        using (var soap = new HttpClient { BaseAddress = admin.BaseAddress })
        {
            using var call = await soap.PostAsync("/services/Soap/u/62.0", new StringContent(
                """<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header><urn:SessionHeader><urn:sessionId>00Dbogus!session</urn:sessionId></urn:SessionHeader></soapenv:Header><soapenv:Body><urn:query><urn:queryString>SELECT Id FROM PackagePushRequest</urn:queryString></urn:query></soapenv:Body></soapenv:Envelope>""",
                System.Text.Encoding.UTF8, "text/xml"));
            Assert.That(call.StatusCode, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(await call.Content.ReadAsStringAsync(), Does.Contain("INVALID_SESSION_ID"));
        }

        await WaitForAsync(() => server.Output.Contains($"Push {request} of", StringComparison.Ordinal) && server.Output.Contains("finished", StringComparison.Ordinal)
            && server.Output.Contains("Apex Compile Failure", StringComparison.Ordinal) && server.Output.Contains("answered 409", StringComparison.Ordinal)
            && server.Output.Contains("POST /services/Soap/u/62.0 answered 500", StringComparison.Ordinal));

        var log = server.Output;
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain($"Push {request} of Pushed App 2.0 scheduled by {Admin}: 24 jobs, starting "));
            Assert.That(log, Does.Contain($"Push {request} of Pushed App 2.0 started: 24 jobs"));
            Assert.That(log, Does.Match($@"Push {request} of Pushed App 2\.0 running: \d+ of 24 done \(\d+ succeeded, \d+ failed, 0 canceled\), \d+ remaining, [\d.]+ jobs/s"),
                "progress while the push runs (every 0.5 s here)");
            Assert.That(log, Does.Contain($"Push {request} of Pushed App 2.0 finished Succeeded: 19 succeeded, 5 failed, 0 canceled of 24 jobs in "));
            Assert.That(Count(log, "jobs failed with"), Is.EqualTo(1), "one line for the failure group, not one per failed job");
            Assert.That(log, Does.Contain($"Push {request}: 5 jobs failed with DeployError \"Apex Compile Failure\"."));
            Assert.That(log, Does.Contain($"PATCH /services/data/v62.0/sobjects/PackagePushRequest/{request} answered 204 in ").And.Contain($"(rest, user {Admin})"));
            Assert.That(log, Does.Contain("POST /api/v1/packages answered 409 in ").And.Contain($"(native, user {Admin})"));
            Assert.That(log, Does.Not.Contain("fail:"), "a client's 409 and a SOAP client's fault are not failures");
            Assert.That(log, Does.Not.Contain("   at "), "no stack trace");
            Assert.That(log, Does.Not.Contain("GET /health/ready answered"), "probes are logged at Debug");
        });
        server.StopGracefully();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Test]
    public async Task Json_logs_are_one_object_a_line_with_the_message_fields_and_never_the_generated_password()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("jsonlogs");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-jsonlogs-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var server = ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
            {
                ["ConnectionStrings__PushApi"] = connectionString,
                ["PushApi__DataDirectory"] = dataDirectory,
                ["PushApi__Logging__Format"] = "json",
            });
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await server.WaitUntilReadyAsync(client);
            (await client.GetAsync("/api/v1/packages")).Dispose();
            await WaitForAsync(() => server.Output.Contains("GET /api/v1/packages answered 401", StringComparison.Ordinal));
            server.StopGracefully();

            var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-password"))).Trim();
            var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var entries = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var request = entries.Single(e => e.GetProperty("EventId").GetInt32() == 2001);
            Assert.Multiple(() =>
            {
                Assert.That(request.GetProperty("Category").GetString(), Is.EqualTo("PushApi.Requests"));
                Assert.That(request.GetProperty("State").GetProperty("Path").GetString(), Is.EqualTo("/api/v1/packages"));
                Assert.That(request.GetProperty("State").GetProperty("StatusCode").GetInt32(), Is.EqualTo(401));
                Assert.That(request.GetProperty("State").GetProperty("FrontEnd").GetString(), Is.EqualTo("native"));
                Assert.That(server.Output, Does.Not.Contain(password), "JSON logs say where the generated password is, not what it is");
                Assert.That(server.Output, Does.Contain("admin-password"));
            });
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static ServerProcess Start(string connectionString, string dataDirectory) => ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
    {
        ["ConnectionStrings__PushApi"] = connectionString,
        ["PushApi__DataDirectory"] = dataDirectory,
        ["PushApi__Bootstrap__Username"] = Admin,
        ["PushApi__Bootstrap__Password"] = Password,
        ["PushApi__Logging__ProgressInterval"] = "00:00:00.5",
        ["PushApi__Webhooks__AllowPrivateTargets"] = "true",
        ["PushApi__Execution__Concurrency"] = "4",
    });

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), "timed out");
            await Task.Delay(100);
        }
    }
}
