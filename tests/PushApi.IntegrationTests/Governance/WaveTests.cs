using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Governance;

/// <summary>
/// Staged rollouts on the real engine: waves that split the targets in order, start one after the other once baked,
/// halt themselves when a wave fails too often (the later waves canceled or held), resume by hand, and refuse bad waves.
/// </summary>
public class WaveTests() : ApiFixture("waves", settings: new Dictionary<string, string?> { ["PushApi:Execution:RolloutInterval"] = "00:00:00.200" })
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private PushScenario _push = null!;

    protected override async Task OnStartedAsync() => _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString);

    [Test]
    public async Task A_wave_over_the_failure_threshold_halts_the_deployment_holds_the_rest_and_resume_finishes_it()
    {
        var orgs = await _push.TenantsAsync(30);
        var created = await DeployAsync(orgs, "hold", TimeProvider.System.GetUtcNow().AddSeconds(3));
        var id = created.Text("id");
        Assert.That(created.GetProperty("waves").EnumerateArray().Select(w => (w.Text("name"), w.GetProperty("orgs").GetInt32())), Is.EqualTo(new[] { ("internal", 5), ("a fifth", 6), ("rest", 19) }));
        Assert.That(created.GetProperty("waves")[0].Text("requestId"), Is.EqualTo(id), "the deployment keeps its first wave's id");

        // Two of the five internal orgs are excluded before the push starts: they fail at run time (40 % > 20 %).
        await ExcludeAsync(orgs[0], orgs[1]);
        var halted = await WaitForAsync(id, "Halted");
        var rollout = halted.GetProperty("rollout");
        Assert.That(rollout.Text("state"), Is.EqualTo("Held"));
        Assert.That(halted.GetProperty("estimate").Text("basis"), Is.EqualTo("halted"), "a held deployment has no end to expect");
        Assert.That(rollout.GetProperty("halt").Text("wave"), Is.EqualTo("internal"));
        Assert.That(rollout.GetProperty("halt").Text("reason"), Does.Contain("2 of 5 finished jobs failed"));
        Assert.That(halted.GetProperty("waves").EnumerateArray().Select(w => w.Text("status")), Is.EqualTo(new[] { "Succeeded", "Created", "Created" }));
        Assert.That(await EventsAsync(id), Is.SupersetOf(new[] { "wave.started", "deployment.halted" }));

        // Orgs of the held waves are still taken: another deployment leaves them out.
        var other = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs.Skip(10).Take(3) }, dryRun = true })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(other.GetProperty("report").GetProperty("leftOutByReason").GetProperty("AlreadyScheduled").GetInt32(), Is.EqualTo(3));

        await Admin.PostAsync($"/api/v1/deployments/{id}/resume", null).ExpectAsync(HttpStatusCode.OK);
        var conflict = await Admin.PostAsync($"/api/v1/deployments/{id}/resume", null).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain("not held"));

        var done = await WaitForAsync(id, "Succeeded", "Failed");
        Assert.That(done.Text("status"), Is.EqualTo("Succeeded"));
        var waves = done.GetProperty("waves").EnumerateArray().ToList();
        Assert.That(waves.Select(w => w.Text("status")), Is.EqualTo(new[] { "Succeeded", "Succeeded", "Succeeded" }));
        Assert.That(done.GetProperty("jobs").GetProperty("succeeded").GetInt32(), Is.EqualTo(28));
        Assert.That(waves[2].GetProperty("startTime").GetDateTimeOffset() - waves[1].GetProperty("endTime").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)), "the last wave waits out the bake time of the one before");
        Assert.That(done.GetProperty("rollout").Text("state"), Is.EqualTo("Finished"));
        Assert.That(done.GetProperty("estimate").GetProperty("expectedEnd").GetDateTimeOffset(), Is.EqualTo(waves[2].GetProperty("endTime").GetDateTimeOffset()), "it ended with its last wave");

        // The deployment's jobs, failures and retry span its waves.
        Assert.That(await JobOrgsAsync(id), Is.EquivalentTo(orgs));
        var failures = await Admin.GetAsync($"/api/v1/deployments/{id}/failures").ExpectAsync(HttpStatusCode.OK);
        Assert.That(failures.GetProperty("failures").EnumerateArray().Select(f => f.Text("orgKey")), Is.EquivalentTo(new[] { orgs[0], orgs[1] }));
        var retry = await Admin.PostAsJsonAsync($"/api/v1/deployments/{id}/retry", new { dryRun = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(retry.GetProperty("report").GetProperty("leftOutByReason").GetProperty("Excluded").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task With_onHalt_cancel_the_later_waves_are_canceled_and_the_deployment_can_not_be_resumed()
    {
        var orgs = await _push.TenantsAsync(30);
        var id = (await DeployAsync(orgs, "cancel", TimeProvider.System.GetUtcNow().AddSeconds(3))).Text("id");
        await ExcludeAsync(orgs[0], orgs[1]);

        var halted = await WaitForAsync(id, "Halted");
        Assert.That(halted.GetProperty("rollout").Text("state"), Is.EqualTo("Halted"));
        Assert.That(halted.GetProperty("waves").EnumerateArray().Select(w => w.Text("status")), Is.EqualTo(new[] { "Succeeded", "Canceled", "Canceled" }));
        Assert.That(halted.GetProperty("jobs").GetProperty("canceled").GetInt32(), Is.EqualTo(25));
        await Admin.PostAsync($"/api/v1/deployments/{id}/resume", null).ExpectAsync(HttpStatusCode.Conflict);
        await Admin.PostAsync($"/api/v1/deployments/{id}/cancel", null).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_deployment_halted_by_hand_waits_until_resumed_and_a_percent_wave_picks_the_same_orgs_again()
    {
        var orgs = await _push.TenantsAsync(20);
        object[] waves = [new { name = "sample", percent = 25, bakeTime = "PT1H" }, new { name = "rest" }];
        var start = TimeProvider.System.GetUtcNow().AddDays(1);
        var first = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs }, waves, scheduledStartTime = start, seed = "s1" })
            .ExpectAsync(HttpStatusCode.Created);
        var firstSample = await WaveOrgsAsync(first.Text("id"));
        Assert.That(firstSample, Has.Count.EqualTo(5));
        await Admin.PostAsync($"/api/v1/deployments/{first.Text("id")}/cancel", null).ExpectAsync(HttpStatusCode.OK);
        Assert.That((await GetAsync(first.Text("id"))).Text("status"), Is.EqualTo("Canceled"));

        var again = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = _push.NewVersion, targets = new { orgKeys = orgs }, waves, seed = "s1" })
            .ExpectAsync(HttpStatusCode.Created);
        var id = again.Text("id");
        Assert.That(await WaveOrgsAsync(id), Is.EquivalentTo(firstSample), "the same seed samples the same orgs");

        await WaitForWaveAsync(id, 0, "Succeeded");
        var held = await Admin.PostAsync($"/api/v1/deployments/{id}/halt", null).ExpectAsync(HttpStatusCode.OK);
        Assert.That(held.Text("status"), Is.EqualTo("Halted"));
        Assert.That(held.GetProperty("rollout").GetProperty("halt").Text("reason"), Does.Contain(PushApiServer.AdminUsername));
        await Admin.PostAsync($"/api/v1/deployments/{id}/halt", null).ExpectAsync(HttpStatusCode.Conflict);
        await Task.Delay(600);
        Assert.That((await GetAsync(id)).GetProperty("waves")[1].Text("status"), Is.EqualTo("Created"), "a held deployment does not start its next wave");

        // Resuming is the human's word: the next wave starts now, not after the hour's bake.

        await Admin.PostAsync($"/api/v1/deployments/{id}/resume", null).ExpectAsync(HttpStatusCode.OK);
        Assert.That((await WaitForAsync(id, "Succeeded", "Failed")).GetProperty("jobs").GetProperty("succeeded").GetInt32(), Is.EqualTo(20));
    }

    [Test]
    public async Task Under_four_eyes_approval_a_deployment_with_waves_waits_whole_and_approval_starts_its_first_wave()
    {
        var orgs = await _push.TenantsAsync(8);
        await Admin.PostAsJsonAsync("/api/v1/users", new { username = "wave-approver@test.local", password = "Approval-Password-1", permissions = new[] { "ApprovePush" } }).ExpectAsync(HttpStatusCode.Created);
        using var approver = await Server.LoginAsync("wave-approver@test.local", "Approval-Password-1");
        await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = true }).ExpectAsync(HttpStatusCode.OK);
        try
        {
            var (approved, rejected) = (await TwoWavesAsync(orgs[..4]), await TwoWavesAsync(orgs[4..]));
            await Task.Delay(600);
            var waiting = await GetAsync(approved);
            Assert.That(waiting.Text("status"), Is.EqualTo("AwaitingApproval"));
            Assert.That(waiting.GetProperty("waves").EnumerateArray().Select(w => w.Text("status")), Is.EqualTo(new[] { "Created", "Created" }), "no wave runs before the approval");

            await approver.PostAsJsonAsync($"/api/v1/deployments/{approved}/approve", new { comment = "go" }).ExpectAsync(HttpStatusCode.OK);
            await approver.PostAsJsonAsync($"/api/v1/deployments/{rejected}/reject", new { comment = "not this week" }).ExpectAsync(HttpStatusCode.OK);
            var done = await WaitForAsync(approved, "Succeeded", "Failed");
            Assert.That(done.GetProperty("waves").EnumerateArray().Select(w => w.Text("status")), Is.EqualTo(new[] { "Succeeded", "Succeeded" }), "the later wave follows the approved first one without another approval");
            var canceled = await WaitForAsync(rejected, "Canceled");
            Assert.That(canceled.GetProperty("waves").EnumerateArray().Select(w => w.Text("status")), Is.EqualTo(new[] { "Canceled", "Canceled" }), "a rejection cancels every wave");
        }
        finally
        {
            await Admin.PatchAsJsonAsync("/api/v1/settings", new { requireApproval = false }).ExpectAsync(HttpStatusCode.OK);
        }
    }

    [Test]
    public async Task Bad_waves_are_refused_with_the_field()
    {
        var orgs = await _push.TenantsAsync(4);
        var cases = new (object Body, string Field)[]
        {
            (new { waves = new object[] { new { name = "a", percent = 0 }, new { name = "b" } } }, "waves[0].percent"),
            (new { waves = new object[] { new { name = "a", percent = 150 }, new { name = "b" } } }, "waves[0].percent"),
            (new { waves = new object[] { new { name = "a", orgKeys = new[] { orgs[0] } }, new { name = "b", orgKeys = new[] { orgs[0], orgs[1] } }, new { name = "c" } } }, "waves[1].orgKeys"),
            (new { waves = new object[] { new { name = "a" }, new { name = "b", percent = 10 } } }, "waves[0]"),
            (new { waves = new object[] { new { name = "a", percent = 10, where = "OrgType = 'Sandbox'" } } }, "waves[0]"),
            (new { waves = new object[] { new { name = "a", bakeTime = "ten minutes" }, } }, "waves[0].bakeTime"),
            (new { waves = new object[] { new { name = "a", where = "OrgType = 'Sandbox'" }, new { name = "b" } } }, "waves[0]"),
            (new { waves = new object[] { new { name = "a", orgKeys = new[] { "00D000000000999" } }, new { name = "b" } } }, "waves[0].orgKeys"),
            (new { waves = new object[] { new { name = "a", orgKeys = new[] { orgs[0] } } } }, "waves"),
            (new { waves = new object[] { new { name = "a", where = "NoSuchField = 1" }, new { name = "b" } } }, "waves[0].where"),
            (new { waves = new object[] { new { name = "x" }, }, onHalt = "pause" }, "onHalt"),
            (new { haltOnFailureRate = 1.5 }, "haltOnFailureRate"),
            (new { haltOnFailureRate = 0.1, minJobs = 0 }, "minJobs"),
        };
        foreach (var (extra, field) in cases)
        {
            var body = JsonSerializer.SerializeToNode(extra)!.AsObject();
            body["packageVersionId"] = _push.NewVersion;
            body["targets"] = JsonSerializer.SerializeToNode(new { orgKeys = orgs });
            body["dryRun"] = true;
            var problem = await Admin.PostAsJsonAsync("/api/v1/deployments", body).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { field }), body.ToJsonString());
        }

        var dryRun = await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = _push.NewVersion,
            targets = new { orgKeys = orgs },
            dryRun = true,
            waves = new object[] { new { name = "first", orgKeys = new[] { orgs[3] } }, new { name = "half", percent = 50 }, new { name = "rest", bakeTime = "PT10M" } },
        }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(dryRun.GetProperty("waves").EnumerateArray().Select(w => w.GetProperty("orgs").GetInt32()), Is.EqualTo(new[] { 1, 2, 1 }));
    }

    private async Task<string> TwoWavesAsync(List<string> orgs) =>
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = _push.NewVersion,
            targets = new { orgKeys = orgs },
            waves = new object[] { new { name = "first", orgKeys = orgs.Take(2) }, new { name = "rest" } },
        }).ExpectAsync(HttpStatusCode.Created)).Text("id");

    private async Task<JsonElement> DeployAsync(List<string> orgs, string onHalt, DateTimeOffset start) =>
        await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = _push.NewVersion,
            targets = new { orgKeys = orgs },
            scheduledStartTime = start,
            waves = new object[] { new { name = "internal", orgKeys = orgs.Take(5) }, new { name = "a fifth", percent = 20, bakeTime = "PT1S" }, new { name = "rest" } },
            haltOnFailureRate = 0.2,
            minJobs = 2,
            onHalt,
        }).ExpectAsync(HttpStatusCode.Created);

    private async Task ExcludeAsync(params string[] orgs)
    {
        foreach (var org in orgs)
        {
            await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = org, packageId = _push.PackageId, reason = "Fails on purpose" }).ExpectAsync(HttpStatusCode.Created);
        }
    }

    private async Task<JsonElement> GetAsync(string id) => await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);

    private async Task<JsonElement> WaitForAsync(string id, params string[] statuses)
    {
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        JsonElement deployment;
        do
        {
            deployment = await GetAsync(id);
            if (statuses.Contains(deployment.Text("status")))
            {
                return deployment;
            }

            await Task.Delay(100);
        }
        while (TimeProvider.System.GetUtcNow() < deadline);

        Assert.Fail($"Deployment {id} is {deployment.Text("status")}, not {string.Join(" or ", statuses)}: {deployment}");
        return deployment;
    }

    private async Task WaitForWaveAsync(string id, int wave, string status)
    {
        var deadline = TimeProvider.System.GetUtcNow() + Patience;
        while ((await GetAsync(id)).GetProperty("waves")[wave].Text("status") != status)
        {
            Assert.That(TimeProvider.System.GetUtcNow(), Is.LessThan(deadline), $"wave {wave} of {id} never became {status}");
            await Task.Delay(100);
        }
    }

    private async Task<List<string>> JobOrgsAsync(string requestId) =>
        [.. (await Admin.GetAsync($"/api/v1/deployments/{requestId}/jobs").ExpectAsync(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().Select(j => j.Text("orgKey"))];

    /// <summary>The orgs of one wave's request, as the Salesforce API lists its jobs.</summary>
    private async Task<List<string>> WaveOrgsAsync(string requestId)
    {
        var soql = $"SELECT SubscriberOrganizationKey FROM PackagePushJob WHERE PackagePushRequestId = '{requestId}'";
        var result = await Admin.GetAsync($"/services/data/v62.0/query?q={Uri.EscapeDataString(soql)}").ExpectAsync(HttpStatusCode.OK);
        return [.. result.GetProperty("records").EnumerateArray().Select(r => r.Text("SubscriberOrganizationKey"))];
    }

    private async Task<List<string>> EventsAsync(string id)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT e.event_type FROM push_request_events e JOIN rollout_waves w ON w.request_id = e.request_id WHERE w.rollout_id = $1 AND e.event_type IS NOT NULL", connection);
        Core.Ids.SalesforceId.TryParseNumber(id, "0DV", out var number);
        command.Parameters.Add(new NpgsqlParameter { Value = number });
        var types = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            types.Add(reader.GetString(0));
        }

        return types;
    }
}
