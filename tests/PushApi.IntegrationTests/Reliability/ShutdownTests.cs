using System.Diagnostics;
using System.Globalization;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Reliability;

/// <summary>
/// RELIABILITY.md R9, a deploy in the middle of a push: the server gets SIGTERM at random points of one push (3 times;
/// <c>PUSHAPI_SIGTERM_RUNS</c> for more, <c>PUSHAPI_CRASH_SEED</c> repeats the points) and is started again each time.
/// Every stop ends within the shutdown timeout with no job left In Progress, no job fails because of it, and each
/// org's agent is called exactly once over the whole push.
/// </summary>
[NonParallelizable]
public class ShutdownTests
{
    private const string Username = "admin@sigterm.test";
    private const string Password = "Password-1";
    private const int Jobs = 3000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("PUSHAPI_CRASH_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Environment.TickCount;
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);
    private FakeAgent _agent = null!;
    private string _connectionString = null!;
    private string _dataDirectory = null!;
    private readonly int _port = ServerProcess.FreePort();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _agent = await FakeAgent.StartAsync();
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(20) };
        _connectionString = await TestPostgres.CreateDatabaseAsync("sigterm");
        _dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-sigterm-" + Guid.NewGuid().ToString("N")[..8]);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _agent.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private ServerProcess StartServer() => ServerProcess.Start(Path.GetTempPath(), port: _port, environment: new Dictionary<string, string?>
    {
        ["ConnectionStrings__PushApi"] = _connectionString,
        ["PushApi__DataDirectory"] = _dataDirectory,
        ["PushApi__Bootstrap__Username"] = Username,
        ["PushApi__Bootstrap__Password"] = Password,
        ["PushApi__Execution__Concurrency"] = "64",
        ["PushApi__Execution__ShutdownTimeout"] = ShutdownTimeout.ToString("c", CultureInfo.InvariantCulture),
        ["PushApi__RateLimit__RequestsPerSecond"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    });

    [Test]
    public async Task R9_SIGTERM_at_random_points_of_a_push_fails_no_job_and_calls_each_agent_once()
    {
        var random = new Random(Seed);
        var runs = int.TryParse(Environment.GetEnvironmentVariable("PUSHAPI_SIGTERM_RUNS"), CultureInfo.InvariantCulture, out var r) ? r : 3;
        TestContext.Progress.WriteLine($"R9: SIGTERM points from seed {Seed} (PUSHAPI_CRASH_SEED={Seed} repeats them).");
        var ledger = new JobLedger(_connectionString);
        string request;
        PushScenario push;
        using (var server = StartServer())
        {
            using var client = await server.LoginAsync(Username, Password);
            push = await PushScenario.CreateAsync(client, ledger.ConnectionString, "sigterm");
            var orgs = await push.TenantsAsync(Jobs, _agent.AgentFor());
            // One org in ten takes 1.5 s, so upgrades are in flight at every signal.
            foreach (var org in orgs.Where((_, i) => i % 10 == 0))
            {
                _agent.Set(org, new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(1500) });
            }

            await ledger.InstallAsync();
            request = await push.RequestAsync();
            await push.AddJobsAsync(request, orgs);
            await push.ScheduleAsync(request);
            await SignalAsync(server, 1, random, ledger, request);
        }

        for (var run = 2; run <= runs; run++)
        {
            using var server = StartServer();
            using var client = await server.LoginAsync(Username, Password);
            await SignalAsync(server, run, random, ledger, request);
        }

        using (var server = StartServer())
        {
            using var client = await server.LoginAsync(Username, Password);
            var finished = await PushScenario.ForExisting(client, ledger.ConnectionString, push.PackageId, "").WaitForAsync(request, TimeSpan.FromSeconds(120), "Succeeded", "Failed");
            Assert.That(finished.Text("Status"), Is.EqualTo("Succeeded"));
        }

        await push.AssertCountersMatchAsync(request);
        await ledger.AssertEveryJobSucceededOnceAsync(request);
        var calls = (await ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {JobLedger.Number(request)}"))
            .Select(j => _agent.CallsPerJob.GetValueOrDefault(Core.Ids.SalesforceId.Format("0DX", long.Parse(j, CultureInfo.InvariantCulture)))).ToList();
        TestContext.Progress.WriteLine($"R9: the push ended Succeeded; {calls.Count(c => c == 1)} of {calls.Count} agents called once, {calls.Count(c => c > 1)} more than once, {calls.Count(c => c == 0)} never; {await ledger.HandedBackAsync(request)} jobs handed back by the stops.");
        Assert.That(calls, Has.All.EqualTo(1), "each org's agent was called exactly once: running upgrades finished at each stop, the rest were handed back unstarted");
    }

    /// <summary>Lets the push run for a random while, sends SIGTERM and checks the stop.</summary>
    private async Task SignalAsync(ServerProcess server, int run, Random random, JobLedger ledger, string request)
    {
        var id = JobLedger.Number(request);
        var before = await ledger.ScalarAsync($"SELECT succeeded_count FROM push_requests WHERE id = {id}");
        var after = TimeSpan.FromMilliseconds(random.Next(300, 3000));
        await Task.Delay(after);
        var running = await ledger.ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {id} AND status = 'In Progress'");
        var clock = Stopwatch.StartNew();
        server.StopGracefully(ShutdownTimeout + TimeSpan.FromSeconds(15));
        var stopped = clock.Elapsed;
        var left = await ledger.ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {id} AND status = 'In Progress'");
        var failed = await ledger.ScalarAsync($"SELECT failed_count FROM push_requests WHERE id = {id}");
        var done = await ledger.ScalarAsync($"SELECT succeeded_count FROM push_requests WHERE id = {id}");
        TestContext.Progress.WriteLine($"R9 run {run}: SIGTERM {after.TotalMilliseconds:0} ms into the run with {running} jobs In Progress; stopped in {stopped.TotalSeconds:0.0} s (exit {server.ExitCode}); {done - before} jobs finished in this run, {left} left In Progress, {failed} Failed.");
        Assert.That(server.HasExited && server.ExitCode == 0, Is.True, "a SIGTERM ends the server cleanly: " + server.Output);
        Assert.That(stopped, Is.LessThan(ShutdownTimeout + TimeSpan.FromSeconds(5)), "the stop ends within the shutdown timeout");
        Assert.That(left, Is.Zero, "every upgrade in flight finished or was handed back");
        Assert.That(failed, Is.Zero, "no job failed because of the stop");
    }
}
