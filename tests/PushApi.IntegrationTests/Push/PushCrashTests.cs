using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;
using PushApi.IntegrationTests.Reliability;

namespace PushApi.IntegrationTests.Push;

/// <summary>
/// Crash safety with real processes: the server is killed with SIGKILL in the middle of a 10,000-job
/// push and started again; a second instance shares the work and survives the first one's death.
/// A trigger on push_jobs records every status change, so the checks see the whole history: every job
/// ends in exactly one terminal state, only legal transitions happen, the counters equal a recount.
/// <c>PUSHAPI_CRASH_RUNS</c> sets how many kills (3 in CI; tests/run-crash-soak.sh runs 20);
/// <c>PUSHAPI_CRASH_SEED</c> repeats the kill points of an earlier run.
/// </summary>
[NonParallelizable]
public class PushCrashTests
{
    private const int Jobs = 10_000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("PUSHAPI_CRASH_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Environment.TickCount;
    private readonly Random _random = new(Seed);
    private FakeAgent _agent = null!;
    private string _connectionString = null!;
    private JobLedger _ledger = null!;
    private string _dataDirectory = null!;
    private List<string> _orgs = null!;
    private string _package = null!;

    [OneTimeSetUp]
    public async Task SeedAsync()
    {
        _agent = await FakeAgent.StartAsync();
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(15) };
        _connectionString = await TestPostgres.CreateDatabaseAsync("crash");
        _dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-crash-" + Guid.NewGuid().ToString("N")[..8]);
        using var server = StartServer();
        using var client = await ClientAsync(server);
        var push = await PushScenario.CreateAsync(client, _connectionString, "crash");
        _orgs = await push.TenantsAsync(Jobs, _agent.AgentFor());
        _package = push.PackageId;
        _ledger = new JobLedger(_connectionString);
        await _ledger.InstallAsync();
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

    /// <summary>The port the "same" service listens on across its restarts (a second instance gets its own).</summary>
    private readonly int _port = ServerProcess.FreePort();

    private ServerProcess StartServer(int? port = null, string lease = "00:00:04") => ServerProcess.Start(Path.GetTempPath(), port: port ?? _port, environment: new Dictionary<string, string?>
    {
        ["ConnectionStrings__PushApi"] = _connectionString,
        ["PushApi__DataDirectory"] = _dataDirectory,
        ["PushApi__Bootstrap__Username"] = "admin@crash.test",
        ["PushApi__Bootstrap__Password"] = "Password-1",
        ["PushApi__Execution__LeaseDuration"] = lease,
        ["PushApi__Execution__ReconcileInterval"] = "00:00:01",
        ["PushApi__Execution__Concurrency"] = "64",
        ["PushApi__Agent__Timeout"] = "00:00:05",
        ["PushApi__RateLimit__RequestsPerSecond"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    });

    private static Task<HttpClient> ClientAsync(ServerProcess server) => server.LoginAsync("admin@crash.test", "Password-1");

    private static int Runs => int.TryParse(Environment.GetEnvironmentVariable("PUSHAPI_CRASH_RUNS"), CultureInfo.InvariantCulture, out var runs) ? runs : 3;

    [Test]
    public async Task A_push_survives_kill_9_at_random_points_without_losing_or_doubling_a_job()
    {
        TestContext.Out.WriteLine($"Kill points from seed {Seed} (PUSHAPI_CRASH_SEED={Seed} repeats them).");
        for (var run = 1; run <= Runs; run++)
        {
            string request, target;
            var killAfter = TimeSpan.FromMilliseconds(Environment.GetEnvironmentVariable("PUSHAPI_CRASH_EARLY") == "1" ? _random.Next(0, 150) : _random.Next(300, 3000));
            using (var server = StartServer())
            {
                using var client = await ClientAsync(server);
                target = await PushScenario.CreateVersionAsync(client, _package, 2 + run);
                var push = PushScenario.ForExisting(client, _connectionString, _package, target);
                request = await push.RequestAsync();
                await push.AddJobsAsync(request, _orgs);
                await push.ScheduleAsync(request);
                await Task.Delay(killAfter);
                server.Kill();
            }

            var progressAtKill = await SucceededAsync(request);
            using (var server = StartServer())
            {
                using var client = await ClientAsync(server);
                var restarted = TimeProvider.System.GetUtcNow().UtcDateTime;
                while (await SucceededAsync(request) == progressAtKill && progressAtKill < Jobs)
                {
                    Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime - restarted, Is.LessThan(TimeSpan.FromSeconds(10)), "the push resumes within 10 s of the restart");
                    await Task.Delay(50);
                }

                var resumed = TimeProvider.System.GetUtcNow().UtcDateTime - restarted;

                var push = PushScenario.ForExisting(client, _connectionString, _package, target);
                var done = await push.WaitForAsync(request, TimeSpan.FromSeconds(180), "Succeeded", "Failed");
                TestContext.Out.WriteLine($"Run {run}: killed after {killAfter.TotalMilliseconds:0} ms with {progressAtKill} jobs done; resumed after {resumed.TotalSeconds:0.0} s and finished {done.Text("Status")} {(TimeProvider.System.GetUtcNow().UtcDateTime - restarted).TotalSeconds:0.0} s after the restart.");
                Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
                Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime - restarted, Is.LessThan(TimeSpan.FromSeconds(20)),
                    "the dead instance's jobs come back when their 4 s leases expire, not when Quartz declares the node dead");
                await push.AssertCountersMatchAsync(request);
            }

            await AssertHistoryIsSoundAsync(request);
        }
    }

    [Test]
    public async Task A_restarted_instance_takes_back_the_jobs_it_held_at_once_and_resends_them_with_the_same_idempotency_key()
    {
        // Leases of a minute, as in production: resuming within 10 s means not waiting them out.
        var orgs = _orgs.Skip(7000).Take(200).ToList();
        foreach (var org in orgs)
        {
            _agent.Set(org, new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(1500) });
        }

        try
        {
            string request;
            using (var server = StartServer(lease: "00:01:00"))
            {
                using var client = await ClientAsync(server);
                var target = await PushScenario.CreateVersionAsync(client, _package, 3000);
                var push = PushScenario.ForExisting(client, _connectionString, _package, target);
                request = await push.RequestAsync();
                await push.AddJobsAsync(request, orgs);
                await push.ScheduleAsync(request);
                // Killed while at least 32 agent calls are in flight (each takes 1.5 s).
                while ((await _ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {JobLedger.Number(request)} AND status = 'In Progress'")).Count(j => Calls(j) == 1) < 32)
                {
                    await Task.Delay(50);
                }

                server.Kill();
            }

            var calledBeforeKill = _agent.CallsPerJob.Keys.ToHashSet();

            var id = JobLedger.Number(request);
            var held = await _ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {id} AND status = 'In Progress'");
            var owners = await _ledger.ScalarsAsync($"SELECT DISTINCT lease_owner FROM push_jobs WHERE request_id = {id} AND status = 'In Progress'");
            Assert.That(owners, Has.Count.EqualTo(1).And.All.StartWith($"{Environment.MachineName}:{_port}#"), "leases are owned by <node>#<pid>:<nonce>, the node being the Quartz instance id");
            var launched = TimeProvider.System.GetUtcNow().UtcDateTime;
            using (var server = StartServer(lease: "00:01:00"))
            {
                using var client = await ClientAsync(server);
                var restarted = TimeProvider.System.GetUtcNow().UtcDateTime;
                var list = string.Join(",", held);
                while (await _ledger.ScalarAsync($"SELECT count(*) FROM push_jobs WHERE id IN ({list}) AND (status <> 'In Progress' OR lease_owner <> '{owners[0]}')") < held.Count)
                {
                    Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime - restarted, Is.LessThan(TimeSpan.FromSeconds(10)), "the jobs the killed run held are taken back within 10 s of the restart");
                    await Task.Delay(50);
                }

                var resumed = TimeProvider.System.GetUtcNow().UtcDateTime - restarted;
                var push = PushScenario.ForExisting(client, _connectionString, _package, "");
                var done = await push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
                var finished = TimeProvider.System.GetUtcNow().UtcDateTime - restarted;
                TestContext.Out.WriteLine($"Killed holding {held.Count} jobs under 60 s leases; all taken back {resumed.TotalSeconds:0.0} s after the restarted service was ready ({(restarted - launched + resumed).TotalSeconds:0.0} s after its launch); the push ended {done.Text("Status")} {finished.TotalSeconds:0.0} s after it.");
                Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
                Assert.That(finished, Is.LessThan(TimeSpan.FromSeconds(30)), "nothing waits out a 60 s lease");
                await push.AssertCountersMatchAsync(request);
            }

            await AssertHistoryIsSoundAsync(request);
            Assert.That(await _ledger.ScalarAsync($"SELECT count(*) FROM job_history WHERE job_id IN ({string.Join(",", held)}) AND old_status = 'In Progress' AND new_status = 'Pending' AND owner = '{owners[0]}'"),
                Is.EqualTo(held.Count), "each held job was handed back once, by the status-change statement, through the legal In Progress -> Pending");
            var inFlight = held.Select(j => Core.Ids.SalesforceId.Format("0DX", long.Parse(j, CultureInfo.InvariantCulture))).Where(calledBeforeKill.Contains).ToList();
            Assert.That(inFlight, Has.Count.GreaterThanOrEqualTo(32), "the kill came while agent calls were in flight");
            foreach (var job in inFlight)
            {
                Assert.That(_agent.KeysPerJob[job], Has.Count.GreaterThanOrEqualTo(2).And.All.EqualTo(job), "a job in flight at the kill is sent again with the same idempotency key");
            }
        }
        finally
        {
            foreach (var org in orgs)
            {
                _agent.Set(org, _agent.Default);
            }
        }
    }

    [Test]
    public async Task Two_instances_share_a_push_and_the_survivor_finishes_it_when_one_is_killed()
    {
        using var first = StartServer();
        using var second = StartServer(ServerProcess.FreePort());
        using var client = await ClientAsync(first);
        using var secondClient = await ClientAsync(second);
        var target = await PushScenario.CreateVersionAsync(client, _package, 1000);
        var push = PushScenario.ForExisting(client, _connectionString, _package, target);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, _orgs.Take(4000));
        await push.ScheduleAsync(request);

        var started = TimeProvider.System.GetUtcNow().UtcDateTime;
        while (await SucceededAsync(request) < 1000)
        {
            await Task.Delay(50);
        }

        first.Kill();
        TestContext.Out.WriteLine($"1000 jobs done after {(TimeProvider.System.GetUtcNow().UtcDateTime - started).TotalSeconds:0.0} s; killed the first instance.");
        var survivor = PushScenario.ForExisting(secondClient, _connectionString, _package, target);
        var done = await survivor.WaitForAsync(request, TimeSpan.FromSeconds(120), "Succeeded", "Failed");
        TestContext.Out.WriteLine($"The survivor finished the push {(TimeProvider.System.GetUtcNow().UtcDateTime - started).TotalSeconds:0.0} s after it was scheduled.");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        await survivor.AssertCountersMatchAsync(request);
        await AssertHistoryIsSoundAsync(request);

        var owners = await _ledger.ScalarsAsync($"SELECT DISTINCT owner FROM job_history WHERE new_status = 'In Progress' AND job_id IN (SELECT id FROM push_jobs WHERE request_id = {JobLedger.Number(request)})");
        Assert.That(owners, Has.Count.GreaterThanOrEqualTo(2), "both instances ran jobs of the push");
        var rescued = await _ledger.ScalarAsync($"SELECT count(*) FROM job_history WHERE old_status = 'In Progress' AND new_status = 'Pending' AND job_id IN (SELECT id FROM push_jobs WHERE request_id = {JobLedger.Number(request)})");
        TestContext.Out.WriteLine($"{rescued} jobs the killed instance held were taken back and run by the survivor.");
        Assert.That(rescued, Is.GreaterThan(0), "the killed instance held jobs, and the survivor took them back");
    }

    [Test]
    public async Task SIGTERM_lets_running_upgrades_finish_and_hands_the_rest_back()
    {
        var orgs = _orgs.Skip(5000).Take(300).ToList();
        foreach (var org in orgs)
        {
            _agent.Set(org, new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(1500) });
        }

        string request;
        using (var server = StartServer())
        {
            using var client = await ClientAsync(server);
            var target = await PushScenario.CreateVersionAsync(client, _package, 2000);
            var push = PushScenario.ForExisting(client, _connectionString, _package, target);
            request = await push.RequestAsync();
            await push.AddJobsAsync(request, orgs);
            await push.ScheduleAsync(request);
            while (await _ledger.ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {JobLedger.Number(request)} AND status = 'In Progress'") < 64)
            {
                await Task.Delay(50);
            }

            await Task.Delay(700);
            server.StopGracefully(TimeSpan.FromSeconds(40));
            Assert.That(server.HasExited && server.ExitCode == 0, Is.True, "a SIGTERM ends the server cleanly: " + server.Output);
        }

        var id = JobLedger.Number(request);
        Assert.That(await _ledger.ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {id} AND status = 'In Progress'"), Is.Zero, "no job is left running");
        var succeeded = await _ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {id} AND status = 'Succeeded'");
        var pending = await _ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {id} AND status = 'Pending'");
        TestContext.Out.WriteLine($"At SIGTERM: {succeeded.Count} jobs finished (the running ones among them), {pending.Count} handed back.");
        Assert.That(succeeded, Has.Count.GreaterThanOrEqualTo(64), "the upgrades running at the signal finished");
        Assert.That(pending, Is.Not.Empty, "jobs not started stay in the queue");
        Assert.That(succeeded.Count(j => Calls(j) != 1), Is.Zero, "each finished job reached its agent exactly once");
        Assert.That(pending.Count(j => Calls(j) != 0), Is.Zero, "no handed-back job was abandoned mid-call");

        using (var server = StartServer())
        {
            using var client = await ClientAsync(server);
            var push = PushScenario.ForExisting(client, _connectionString, _package, "");
            var done = await push.WaitForAsync(request, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
            Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
            await push.AssertCountersMatchAsync(request);
        }

        await AssertHistoryIsSoundAsync(request);
        var jobs = await _ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {id}");
        Assert.That(jobs.Count(j => Calls(j) != 1), Is.Zero, "after a graceful stop, no agent was called twice");
    }

    private int Calls(string jobId) => _agent.CallsPerJob.GetValueOrDefault(Core.Ids.SalesforceId.Format("0DX", long.Parse(jobId, CultureInfo.InvariantCulture)));

    /// <summary>Every job ends Succeeded exactly once, through legal transitions only, and its agent was called.</summary>
    private async Task AssertHistoryIsSoundAsync(string request)
    {
        var id = JobLedger.Number(request);
        Assert.That(await _ledger.ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {id} AND status <> 'Succeeded'"), Is.Zero, "every job ended Succeeded");
        Assert.That(await _ledger.ScalarAsync($"SELECT count(*) FROM (SELECT job_id FROM job_history h JOIN push_jobs j ON j.id = h.job_id WHERE j.request_id = {id} AND h.new_status IN ('Succeeded', 'Failed', 'Canceled') GROUP BY job_id HAVING count(*) > 1) twice"),
            Is.Zero, "no job completed twice");
        // The database's own rule (the status guard's function), not a copy of it.
        var illegal = await _ledger.ScalarsAsync($"SELECT DISTINCT old_status || ' -> ' || new_status FROM job_history h JOIN push_jobs j ON j.id = h.job_id WHERE j.request_id = {id} AND NOT push_transition_allowed('job', old_status, new_status)");
        Assert.That(illegal, Is.Empty, "only legal transitions happened");

        var jobIds = await _ledger.ScalarsAsync($"SELECT id FROM push_jobs WHERE request_id = {id}");
        Assert.That(jobIds.Count(j => Calls(j) == 0), Is.Zero, "every org's agent was called");
        var calledAgain = jobIds.Count(j => Calls(j) > 1);
        TestContext.Out.WriteLine($"{calledAgain} jobs reached their agent more than once (at-least-once delivery with the job id as idempotency key).");
    }

    private Task<long> SucceededAsync(string request) => _ledger.ScalarAsync($"SELECT succeeded_count FROM push_requests WHERE id = {JobLedger.Number(request)}");
}
