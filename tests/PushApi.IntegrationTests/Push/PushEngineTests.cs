using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Push;

/// <summary>The push engine against real PostgreSQL and Quartz, driven through the Salesforce API as clients drive it.</summary>
public class PushEngineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AdjustableTimeProvider _clock = new();
    private PushApiServer _server = null!;
    private HttpClient _admin = null!;
    private FakeAgent _agent = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _agent = await FakeAgent.StartAsync();
        _server = await PushApiServer.StartOnNewDatabaseAsync("engine", _clock, new Dictionary<string, string?>
        {
            ["PushApi:Agent:Timeout"] = "00:00:01",
            ["PushApi:Agent:Retries"] = "2",
            ["PushApi:Agent:RetryDelay"] = "00:00:00.050",
            ["PushApi:Execution:ReconcileInterval"] = "00:00:01",
            ["PushApi:Execution:LeaseDuration"] = "00:00:05",

            // The tests move the clock by days; the admin's session must outlive that.
            ["PushApi:Auth:SessionIdleTimeout"] = "3650.00:00:00",

            // Agents are told to download packages from here (this fake agent does not download).
            ["PushApi:PublicUrl"] = "https://push.example.test/pushapi",
        });
        _admin = await _server.LoginAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _admin.Dispose();
        _server.Dispose();
        await _agent.DisposeAsync();
    }

    private Task<PushScenario> ScenarioAsync() => PushScenario.CreateAsync(_admin, _server.ConnectionString);

    [Test]
    public async Task A_request_set_Pending_without_a_start_time_runs_at_once_and_upgrades_every_org()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(300);
        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        var scheduledAt = _clock.GetUtcNow();
        await push.ScheduleAsync(request);

        var done = await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        Assert.That(done.GetProperty("DurationSeconds").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Number));
        Assert.That(DateTimeOffset.Parse(done.Text("StartTime").Replace("+0000", "Z", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) - scheduledAt, Is.LessThan(TimeSpan.FromSeconds(3)));
        Assert.That((await push.JobStatusesAsync(request)).Values, Has.All.EqualTo("Succeeded"));
        Assert.That(await push.InstalledVersionAsync(orgs[0]), Is.EqualTo(push.NewVersion), "the upgrade is the install record");
        await push.AssertCountersMatchAsync(request);
    }

    [Test]
    public async Task A_request_scheduled_for_later_does_not_start_early_and_starts_promptly_when_due()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(5);
        var start = _clock.GetUtcNow() + TimeSpan.FromHours(3);
        var request = await push.RequestAsync(start);
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.That((await push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Pending"));
        Assert.That((await push.JobStatusesAsync(request)).Values, Has.All.EqualTo("Pending"), "scheduling moved the jobs to Pending with their request");

        _clock.Advance(TimeSpan.FromHours(3));
        var done = await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        var startedAt = DateTimeOffset.Parse(done.Text("StartTime").Replace("+0000", "Z", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(startedAt, Is.GreaterThanOrEqualTo(start.AddMilliseconds(-1)), "never before the scheduled time");
        Assert.That(startedAt, Is.LessThan(start.AddSeconds(3)), "and promptly (Quartz idle wait 1 s, not its default 30 s)");
        await push.AssertCountersMatchAsync(request);
    }

    [Test]
    public async Task A_Pending_request_whose_trigger_was_lost_is_scheduled_again_by_the_reconciler()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(2);
        var request = await push.RequestAsync(_clock.GetUtcNow() + TimeSpan.FromDays(30));
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        Assert.That(await TriggerExistsAsync(request), Is.True);

        // A crash between the commit of Pending and the scheduling leaves the request without a trigger.
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);
        await ExecuteAsync($"DELETE FROM qrtz_simple_triggers WHERE trigger_name = 'request-{id}'; DELETE FROM qrtz_triggers WHERE trigger_name = 'request-{id}'");
        Assert.That(await TriggerExistsAsync(request), Is.False);

        var deadline = TimeProvider.System.GetUtcNow().UtcDateTime + TimeSpan.FromSeconds(10);
        while (!await TriggerExistsAsync(request))
        {
            Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), "the reconciler (every second here) restores the trigger");
            await Task.Delay(100);
        }

        await _admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = "Canceled" }).ExpectAsync(HttpStatusCode.NoContent);
        Assert.That(await TriggerExistsAsync(request), Is.False);
    }

    [Test]
    public async Task Canceling_from_Created_or_Pending_cancels_every_job_and_removes_the_start()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(50);
        foreach (var schedule in new[] { false, true })
        {
            var request = await push.RequestAsync(_clock.GetUtcNow() + TimeSpan.FromDays(1));
            await push.AddJobsAsync(request, orgs);
            if (schedule)
            {
                await push.ScheduleAsync(request);
            }

            await _admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = "Canceled" }).ExpectAsync(HttpStatusCode.NoContent);
            Assert.That((await push.JobStatusesAsync(request)).Values, Has.All.EqualTo("Canceled"));
            Assert.That((await push.RequestRecordAsync(request)).Text("Status"), Is.EqualTo("Canceled"));
            Assert.That(await TriggerExistsAsync(request), Is.False);
            await push.AssertCountersMatchAsync(request);
        }
    }

    [Test]
    public async Task A_running_request_can_not_be_aborted_but_an_operator_can_halt_it()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(40, _agent.AgentFor());
        foreach (var org in orgs)
        {
            _agent.Set(org, new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(300) });
        }

        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        await push.WaitForAsync(request, Patience, "In Progress");

        var refused = await _admin.PatchAsJsonAsync($"/services/data/v62.0/sobjects/PackagePushRequest/{request}", new { Status = "Canceled" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(refused[0].Text("message"), Does.Contain("'In Progress'"));

        var halted = await _admin.PostAsync($"/api/v1/push-requests/{request}/halt", null).ExpectAsync(HttpStatusCode.OK);
        Assert.That(halted.GetProperty("haltedAt").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.String));
        var done = await push.WaitForAsync(request, Patience, "Canceled", "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Canceled"));
        var statuses = (await push.JobStatusesAsync(request)).Values.ToList();
        Assert.That(statuses, Has.All.AnyOf("Succeeded", "Canceled"));
        Assert.That(statuses, Does.Contain("Canceled"), "jobs not yet started were canceled");
        await push.AssertCountersMatchAsync(request);
        await _admin.PostAsync($"/api/v1/push-requests/{request}/halt", null).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Orgs_that_became_ineligible_after_scheduling_fail_with_an_error_that_says_why()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(4);
        var request = await push.RequestAsync(_clock.GetUtcNow() + TimeSpan.FromDays(2));
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);

        await _admin.DeleteAsync($"/api/v1/installations/{orgs[0]}/{push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        await _admin.PatchAsJsonAsync($"/api/v1/tenants/{orgs[1]}", new { orgStatus = "Inactive" }).ExpectAsync(HttpStatusCode.OK);
        await _admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = orgs[2], packageVersionId = push.NewVersion }).ExpectAsync(HttpStatusCode.OK);
        _clock.Advance(TimeSpan.FromDays(2));

        var done = await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"), "one org succeeded");
        var errors = await _admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString($"SELECT PackagePushJob.SubscriberOrganizationKey, ErrorType, ErrorTitle, ErrorMessage, ErrorSeverity FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId = '{request}'"))
            .ExpectAsync(HttpStatusCode.OK);
        var byOrg = errors.GetProperty("records").EnumerateArray().ToDictionary(e => e.GetProperty("PackagePushJob").Text("SubscriberOrganizationKey"), e => e);
        Assert.That(byOrg.Keys, Is.EquivalentTo(orgs.Take(3)));
        Assert.That(byOrg.Values.Select(e => e.Text("ErrorType")), Has.All.EqualTo("IneligibleUpgrade"));
        Assert.That((byOrg[orgs[0]].Text("ErrorTitle"), byOrg[orgs[0]].Text("ErrorMessage")), Is.EqualTo(("Package Uninstalled", $"The org {orgs[0]} has uninstalled this package.")));
        Assert.That(byOrg[orgs[1]].Text("ErrorMessage"), Does.Contain("Inactive"));
        Assert.That(byOrg[orgs[2]].Text("ErrorMessage"), Does.Contain("already has version 2.0 installed"));
        await push.AssertCountersMatchAsync(request);
    }

    [Test]
    public async Task A_request_whose_every_job_fails_ends_Failed_and_one_without_jobs_Succeeded()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(2);
        var failing = await push.RequestAsync();
        await push.AddJobsAsync(failing, orgs);
        foreach (var org in orgs)
        {
            await _admin.DeleteAsync($"/api/v1/installations/{org}/{push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        }

        await push.ScheduleAsync(failing);
        Assert.That((await push.WaitForAsync(failing, Patience, "Succeeded", "Failed")).Text("Status"), Is.EqualTo("Failed"));

        var empty = await push.RequestAsync();
        await push.ScheduleAsync(empty);
        Assert.That((await push.WaitForAsync(empty, Patience, "Succeeded", "Failed")).Text("Status"), Is.EqualTo("Succeeded"));
        await push.AssertCountersMatchAsync(failing);
        await push.AssertCountersMatchAsync(empty);
    }

    [Test]
    public async Task Remote_tenants_are_upgraded_through_their_agent_with_retries_and_error_mapping()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(5, _agent.AgentFor());
        _agent.Set(orgs[1], new FakeAgent.Behaviour { Statuses = [503, 429, 200] });
        _agent.Set(orgs[2], new FakeAgent.Behaviour
        {
            Statuses = [409],
            ErrorBody = """{"errorType":"DeployError","errorTitle":"Apex Compile Failure","errorMessage":"Class Foo does not compile","errorDetails":"line 3","errorSeverity":"Error"}""",
        });
        _agent.Set(orgs[3], new FakeAgent.Behaviour { Statuses = [500], ErrorBody = "<html>oops</html>" });
        _agent.Set(orgs[4], new FakeAgent.Behaviour { Delay = TimeSpan.FromSeconds(3) });

        var request = await push.RequestAsync();
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);
        var done = await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));

        var statuses = await push.JobStatusesAsync(request);
        Assert.That(orgs.Select(o => statuses[o]), Is.EqualTo(new[] { "Succeeded", "Succeeded", "Failed", "Failed", "Failed" }));
        Assert.That(await push.InstalledVersionAsync(orgs[0]), Is.EqualTo(push.NewVersion));
        Assert.That(await push.InstalledVersionAsync(orgs[2]), Is.EqualTo(push.OldVersion), "a failed upgrade records no install");

        var requests = _agent.Requests.Where(r => r.GetProperty("pushRequestId").GetString() == request).ToList();
        var first = requests.First(r => r.GetProperty("orgKey").GetString() == orgs[0]);
        Assert.That((first.GetProperty("packageId").GetString(), first.GetProperty("packageVersionId").GetString(), first.GetProperty("versionNumber").GetString()),
            Is.EqualTo((push.PackageId, push.NewVersion, "2.0")));
        Assert.That((first.GetProperty("kind").GetString(), first.GetProperty("rolesMode").GetString(), first.TryGetProperty("grantRoles", out _)), Is.EqualTo(("upgrade", "merge", false)));
        var zip = await (await _admin.GetAsync($"/api/v1/versions/{push.NewVersion}/package.zip")).Content.ReadAsByteArrayAsync();
        var artifact = first.GetProperty("artifact");
        Assert.That((artifact.GetProperty("sha256").GetString(), artifact.GetProperty("size").GetInt64()), Is.EqualTo((Convert.ToHexStringLower(SHA256.HashData(zip)), zip.LongLength)),
            "a version without contents still has a ZIP (its manifest), and the announcement describes it");
        Assert.That(artifact.GetProperty("url").GetString(), Does.StartWith($"https://push.example.test/pushapi/api/v1/agent/artifacts/{first.GetProperty("pushJobId").GetString()}?attempt=1&token="), "links on PushApi:PublicUrl");
        Assert.That(requests.Where(r => r.GetProperty("orgKey").GetString() == orgs[1]).Select(r => r.GetProperty("artifact").GetProperty("url").GetString()).Distinct().Count(), Is.EqualTo(1),
            "a retried call carries the same link: the same attempt");
        Assert.That(requests.Count(r => r.GetProperty("orgKey").GetString() == orgs[1]), Is.EqualTo(3), "503 and 429 were retried");
        Assert.That(requests.Count(r => r.GetProperty("orgKey").GetString() == orgs[4]), Is.EqualTo(3), "a timeout is retried, then fails");

        var errors = await _admin.GetAsync("/services/data/v62.0/query?q=" + Uri.EscapeDataString($"SELECT PackagePushJob.SubscriberOrganizationKey, ErrorType, ErrorTitle, ErrorMessage, ErrorDetails FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId = '{request}'"))
            .ExpectAsync(HttpStatusCode.OK);
        var byOrg = errors.GetProperty("records").EnumerateArray().ToDictionary(e => e.GetProperty("PackagePushJob").Text("SubscriberOrganizationKey"), e => e);
        Assert.That((byOrg[orgs[2]].Text("ErrorType"), byOrg[orgs[2]].Text("ErrorTitle"), byOrg[orgs[2]].Text("ErrorMessage"), byOrg[orgs[2]].Text("ErrorDetails")),
            Is.EqualTo(("DeployError", "Apex Compile Failure", "Class Foo does not compile", "line 3")));
        Assert.That((byOrg[orgs[3]].Text("ErrorType"), byOrg[orgs[3]].Text("ErrorMessage")), Is.EqualTo(("UnclassifiedError", "The org's upgrade agent answered 500 InternalServerError: <html>oops</html>")));
        Assert.That((byOrg[orgs[4]].Text("ErrorType"), byOrg[orgs[4]].Text("ErrorTitle")), Is.EqualTo(("UnclassifiedError", "Agent Unreachable")));
        Assert.That(_agent.RejectedAuthentications, Is.Zero, "the encrypted agent password was sent correctly");
        await push.AssertCountersMatchAsync(request);
    }

    [Test]
    public async Task An_expired_lease_is_rescued_and_the_job_runs_again_with_a_new_attempt()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(1);
        var request = await push.RequestAsync(_clock.GetUtcNow() + TimeSpan.FromDays(5));
        await push.AddJobsAsync(request, orgs);
        await push.ScheduleAsync(request);

        // An instance claimed the job and died: In Progress under a lease that is running out.
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var requestId);
        var leaseEnd = (_clock.GetUtcNow() + TimeSpan.FromSeconds(2)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        await ExecuteAsync($"UPDATE push_requests SET status = 'In Progress', start_time = '{leaseEnd}' WHERE id = {requestId}; " +
                           $"UPDATE push_jobs SET status = 'In Progress', attempt = 1, lease_owner = 'dead-instance', lease_expires_at = '{leaseEnd}' WHERE request_id = {requestId}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(await ScalarAsync($"SELECT attempt FROM push_jobs WHERE request_id = {requestId} AND status = 'In Progress'"), Is.EqualTo(1), "a live lease is left alone");
        var done = await push.WaitForAsync(request, Patience, "Succeeded", "Failed");
        Assert.That(done.Text("Status"), Is.EqualTo("Succeeded"));
        Assert.That(await ScalarAsync($"SELECT attempt FROM push_jobs WHERE request_id = {requestId}"), Is.EqualTo(2));
        await push.AssertCountersMatchAsync(request);
    }

    [Test]
    public async Task A_late_completion_with_a_stale_attempt_is_rejected()
    {
        var push = await ScenarioAsync();
        var orgs = await push.TenantsAsync(1);
        var request = await push.RequestAsync(_clock.GetUtcNow() + TimeSpan.FromDays(9));
        await push.AddJobsAsync(request, orgs);
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var requestId);
        await ExecuteAsync($"UPDATE push_requests SET status = 'Pending' WHERE id = {requestId}; UPDATE push_jobs SET status = 'Pending' WHERE request_id = {requestId}; " +
                           $"UPDATE push_jobs SET status = 'In Progress', attempt = 3 WHERE request_id = {requestId}; UPDATE push_requests SET status = 'In Progress', job_count = 1 WHERE id = {requestId}");
        var jobId = await ScalarAsync($"SELECT id FROM push_jobs WHERE request_id = {requestId}");

        await using var dataSource = NpgsqlDataSource.Create(_server.ConnectionString);
        var store = new Core.Push.Engine.PushJobStore(dataSource, TimeProvider.System, Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Core.Telemetry.EngineTelemetry>(_server.Services));
        var stale = await store.CompleteAsync([new Core.Push.Engine.JobOutcome(jobId, requestId, 2, true)]);
        Assert.That((stale.Succeeded, stale.Rejected), Is.EqualTo((0, 1)));
        Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs WHERE id = {jobId} AND status = 'In Progress'"), Is.EqualTo(1));
        var current = await store.CompleteAsync([new Core.Push.Engine.JobOutcome(jobId, requestId, 3, true)]);
        Assert.That(current.Succeeded, Is.EqualTo(1));
        var again = await store.CompleteAsync([new Core.Push.Engine.JobOutcome(jobId, requestId, 3, true)]);
        Assert.That(again.Rejected, Is.EqualTo(1), "a duplicate completion changes nothing");
        await push.AssertCountersMatchAsync(request);
    }

    private async Task<bool> TriggerExistsAsync(string request)
    {
        Core.Ids.SalesforceId.TryParseNumber(request, "0DV", out var id);
        return await ScalarAsync($"SELECT count(*) FROM qrtz_triggers WHERE trigger_name = 'request-{id}'") > 0;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
