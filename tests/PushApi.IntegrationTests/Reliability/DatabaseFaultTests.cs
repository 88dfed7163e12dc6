using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;
using PushApi.LocalPostgres;

namespace PushApi.IntegrationTests.Reliability;

/// <summary>
/// RELIABILITY.md R5, R6 and R7 against the real server process and a PostgreSQL of this fixture's own (so
/// restarting it or filling its connection slots touches no other test): PostgreSQL restarted mid-push, the
/// service's connections terminated again and again, every connection slot taken by an outside holder. Each
/// test prints its figure. <c>tests/run-terminate-soak.sh</c> runs R6 for 60 s (<c>PUSHAPI_TERMINATE_SECONDS</c>).
/// </summary>
[NonParallelizable]
public class DatabaseFaultTests
{
    private const string Username = "admin@faults.test";
    private const string Password = "Password-1";
    private LocalPostgresCluster _cluster = null!;
    private FakeAgent _agent = null!;
    private string _connectionString = null!;
    private string _dataDirectory = null!;
    private JobLedger _ledger = null!;
    private List<string> _orgs = null!;
    private string _package = null!;
    private int _version = 2;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var home = Path.Combine(Path.GetTempPath(), "pushapi-faults-" + Guid.NewGuid().ToString("N")[..8]);
        _cluster = await LocalPostgresCluster.StartAsync(new LocalPostgresOptions { Directory = home, Database = "faults", Throwaway = true, MaxConnections = 100 });
        _connectionString = _cluster.ConnectionString;
        _dataDirectory = Path.Combine(home, "data");
        _ledger = new JobLedger(_connectionString);
        _agent = await FakeAgent.StartAsync();
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(50) };
        using var server = StartServer();
        using var client = await server.LoginAsync(Username, Password);
        var push = await PushScenario.CreateAsync(client, _connectionString, "faults");
        _orgs = await push.TenantsAsync(12_000, _agent.AgentFor());
        _package = push.PackageId;
        await _ledger.InstallAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _agent.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    private ServerProcess StartServer() => ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
    {
        ["ConnectionStrings__PushApi"] = _connectionString,
        ["PushApi__DataDirectory"] = _dataDirectory,
        ["PushApi__Bootstrap__Username"] = Username,
        ["PushApi__Bootstrap__Password"] = Password,
        ["PushApi__Execution__Concurrency"] = "32",
        ["PushApi__Agent__Timeout"] = "00:00:05",
        ["PushApi__RateLimit__RequestsPerSecond"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    });

    [Test]
    public async Task R5_a_push_goes_on_by_itself_after_PostgreSQL_restarts_and_its_rate_is_back_within_30_s()
    {
        using var server = StartServer();
        using var client = await server.LoginAsync(Username, Password);
        var (push, request) = await StartPushAsync(client, _orgs.Take(8000).ToList());
        var samples = new List<(double At, long Done)>();
        var clock = Stopwatch.StartNew();
        async Task SampleAsync()
        {
            if (await _ledger.TrySucceededAsync(request) is { } done)
            {
                samples.Add((clock.Elapsed.TotalSeconds, done));
            }
        }

        while (samples.Count == 0 || samples[^1].Done < 1500)
        {
            await SampleAsync();
            await Task.Delay(200);
        }

        var stoppedAt = clock.Elapsed.TotalSeconds;
        var before = Rate(samples, stoppedAt - 3, stoppedAt);
        await Task.Run(RestartPostgres);
        var upAt = clock.Elapsed.TotalSeconds;
        double? recoveredAt = null;
        while (recoveredAt is null && clock.Elapsed.TotalSeconds - upAt < 60 && (samples.Count == 0 || samples[^1].Done < 8000))
        {
            await Task.Delay(200);
            await SampleAsync();
            var now = clock.Elapsed.TotalSeconds;
            if (now - upAt >= 1 && Rate(samples, now - 1, now) >= 0.9 * before)
            {
                recoveredAt = now;
            }
        }

        var done = await push.WaitForAsync(request, TimeSpan.FromSeconds(120), "Succeeded", "Failed");
        TestContext.Progress.WriteLine($"R5: {before:0} jobs/s before PostgreSQL was restarted ({upAt - stoppedAt:0.0} s down); back to >= 90 % of it {recoveredAt - upAt:0.0} s after it was up again; the push ended {done.Text("Status")}, {await _ledger.HandedBackAsync(request)} jobs handed back on the way.");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        Assert.That(recoveredAt, Is.Not.Null, "throughput came back to 90 % before the push ended");
        Assert.That(recoveredAt!.Value - upAt, Is.LessThanOrEqualTo(30), "throughput back to >= 90 % within 30 s");
        Assert.That(server.HasExited, Is.False);
        await push.AssertCountersMatchAsync(request);
        await _ledger.AssertEveryJobSucceededOnceAsync(request);
    }

    [Test]
    public async Task R6_a_push_completes_while_the_service_connections_are_terminated_twice_a_second()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("PUSHAPI_TERMINATE_SECONDS"), CultureInfo.InvariantCulture, out var s) ? s : 8;
        using var server = StartServer();
        using var client = await server.LoginAsync(Username, Password);
        // Agent calls of 100 ms: the push lasts about as long as the terminations (60 s for 10,000 jobs in the soak).
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(100) };
        var (push, request) = await StartPushAsync(client, _orgs.Take(Math.Min(_orgs.Count, 1000 + (seconds * 150))).ToList());
        var clock = Stopwatch.StartNew();
        long terminated = 0, ticks = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            terminated += await _ledger.ScalarAsync($"SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> '{JobLedger.ApplicationName}'");
            ticks++;
            await Task.Delay(500);
        }

        var doneDuring = await _ledger.TrySucceededAsync(request);
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(50) };
        var done = await push.WaitForAsync(request, TimeSpan.FromSeconds(180), "Succeeded", "Failed");
        TestContext.Progress.WriteLine($"R6: {terminated} service connections terminated in {ticks} rounds over {seconds} s; {doneDuring} of {await _ledger.ScalarAsync($"SELECT job_count FROM push_requests WHERE id = {JobLedger.Number(request)}")} jobs done meanwhile; the push ended {done.Text("Status")} {clock.Elapsed.TotalSeconds - seconds:0.0} s after the last round; server alive: {!server.HasExited}; {await _ledger.HandedBackAsync(request)} jobs handed back on the way.");
        Assert.That(server.HasExited, Is.False, "no crash: " + server.Output);
        Assert.That(terminated, Is.GreaterThan(ticks), "the service had connections to terminate");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        await push.AssertCountersMatchAsync(request);
        await _ledger.AssertEveryJobSucceededOnceAsync(request);
    }

    [Test]
    public async Task R7_with_every_connection_slot_taken_from_outside_the_API_answers_503_with_retry_after_and_recovers()
    {
        using var server = StartServer();
        using var admin = await server.LoginAsync(Username, Password);
        var token = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var soap = new SoapClient(anonymous) { SessionId = token };
        await RestQuery(admin).ExpectAsync(HttpStatusCode.OK);

        var holders = await TakeEveryConnectionSlotAsync();
        try
        {
            await AssertBusyAsync("REST query", () => RestQuery(admin), "SERVER_UNAVAILABLE");
            await AssertBusyAsync("SOAP query", () => SoapQuery(anonymous, soap), "SERVER_UNAVAILABLE");
            await AssertBusyAsync("native GET", () => admin.GetAsync("/api/v1/tenants"), "Database busy");
        }
        finally
        {
            foreach (var holder in holders)
            {
                await holder.DisposeAsync();
            }
        }

        var released = Stopwatch.StartNew();
        await RestQuery(admin).ExpectAsync(HttpStatusCode.OK);
        await admin.GetAsync("/api/v1/tenants").ExpectAsync(HttpStatusCode.OK);
        TestContext.Progress.WriteLine($"R7: {holders.Count} connections held from outside; answering again {released.Elapsed.TotalSeconds:0.00} s after they were released.");
    }

    private async Task<(PushScenario Push, string Request)> StartPushAsync(HttpClient client, List<string> orgs)
    {
        var target = await PushScenario.CreateVersionAsync(client, _package, ++_version);
        var push = PushScenario.ForExisting(client, _ledger.ConnectionString, _package, target);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        return (push, request);
    }

    /// <summary>
    /// A fast shutdown (SIGINT to the postmaster, as <c>pg_ctl restart -m fast</c> does: every session ends, in-flight
    /// transactions roll back), 2 s down, then a start on the same port.
    /// </summary>
    private void RestartPostgres()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(_cluster.ClusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
        using (var signal = Process.Start("kill", ["-INT", postmaster.ToString(CultureInfo.InvariantCulture)]))
        {
            signal.WaitForExit();
        }

        var deadline = Stopwatch.StartNew();
        while (_cluster.IsRunning() && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(50);
        }

        Thread.Sleep(TimeSpan.FromSeconds(2)); // down as long as a restart of a real server with a checkpoint to write
        _cluster.Restart();
    }

    /// <summary>Jobs per second between two moments, from the samples that bracket them.</summary>
    private static double Rate(List<(double At, long Done)> samples, double from, double to)
    {
        var first = samples.LastOrDefault(s => s.At <= from, samples[0]);
        var last = samples.Last(s => s.At <= to);
        return last.At > first.At ? (last.Done - first.Done) / (last.At - first.At) : 0;
    }

    /// <summary>
    /// Opens connections until PostgreSQL refuses more, ending the service's own between rounds, so that every slot
    /// (the superuser's reserved ones too) is held from outside and the service has none.
    /// </summary>
    private async Task<List<NpgsqlConnection>> TakeEveryConnectionSlotAsync()
    {
        var outside = new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false, ApplicationName = "outside-holder" }.ConnectionString;
        var holders = new List<NpgsqlConnection>();
        for (var round = 0; round < 20; round++)
        {
            while (true)
            {
                var connection = new NpgsqlConnection(outside);
                try
                {
                    await connection.OpenAsync();
                    holders.Add(connection);
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.TooManyConnections)
                {
                    await connection.DisposeAsync();
                    break;
                }
            }

            await using var command = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name <> 'outside-holder'", holders[0]);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) == 0)
            {
                return holders;
            }

            await Task.Delay(100);
        }

        Assert.Fail("the service kept its connections");
        return holders;
    }

    private static Task<HttpResponseMessage> RestQuery(HttpClient client) =>
        client.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString("SELECT Id, Status FROM PackagePushRequest"));

    private static Task<HttpResponseMessage> SoapQuery(HttpClient anonymous, SoapClient soap)
    {
        var content = new StringContent(soap.EnvelopeFor("query", "<queryString>SELECT Id, Status FROM PackagePushRequest</queryString>"), Encoding.UTF8, "text/xml");
        content.Headers.Add("SOAPAction", "\"\"");
        return anonymous.PostAsync(soap.Path, content);
    }

    private static async Task AssertBusyAsync(string what, Func<Task<HttpResponseMessage>> call, string expected)
    {
        var clock = Stopwatch.StartNew();
        using var answer = await call();
        var elapsed = clock.Elapsed;
        var body = await answer.Content.ReadAsStringAsync();
        TestContext.Progress.WriteLine($"R7 {what}: {(int)answer.StatusCode} after {elapsed.TotalSeconds:0.00} s");
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), what + " answers within 30 s");
        Assert.That(answer.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)), what + ": " + body);
        Assert.That(body, Does.Contain(expected), what);
        Assert.That(answer.StatusCode, Is.EqualTo(answer.Content.Headers.ContentType?.MediaType == "text/xml" ? HttpStatusCode.InternalServerError : HttpStatusCode.ServiceUnavailable), what);
    }
}
