using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The operator console's mass-operation status page in headless Chromium (one browser run, one server):
/// a two-wave deployment that halted itself is seen Halted and resumed from the console; a running push
/// is halted from it; a deployment awaiting approval is refused to its submitter and approved by a second
/// user; a Read user sees no enabled write button; no console errors (the CSP holds).
/// </summary>
[NonParallelizable]
public class ConsoleOperationsBrowserTests() : ApiFixture("console", settings: TwoRemoteUpgradesAtATime)
{
    private const string ApproverName = "console-approver@test.local";
    private const string ReaderName = "console-reader@test.local";
    private const string Password = "Console-Password-1";
    private FakeAgent _agent = null!;

    /// <summary>Two remote upgrades at once, so a push to six slow remote tenants still has jobs to cancel when it is halted.</summary>
    private static readonly Dictionary<string, string?> TwoRemoteUpgradesAtATime = new() { ["PushApi:Execution:Concurrency"] = "2" };

    [OneTimeTearDown]
    public async Task StopAgentAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }

    [Test]
    public async Task An_operator_resumes_a_halted_rollout_halts_a_push_and_a_second_user_approves_while_a_reader_can_only_look()
    {
        _agent = await FakeAgent.StartAsync();
        _agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromSeconds(8) };
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "console");
        var orgs = await push.TenantsAsync(12);
        var slow = await push.TenantsAsync(6, _agent.AgentFor());
        await UserAsync(ApproverName, "Read", "ApprovePush");
        await UserAsync(ReaderName, "Read");
        var waves = await WavesThatHaltAsync(push, orgs[..10]);
        var shots = ClientTools.ScreenshotDirectory("console");

        var output = await ClientTools.RunNodeAsync("console-operations-browser.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["APPROVER_USERNAME"] = ApproverName,
            ["APPROVER_PASSWORD"] = Password,
            ["READER_USERNAME"] = ReaderName,
            ["READER_PASSWORD"] = Password,
            ["PUSHAPI_SCREENSHOTS"] = shots,
            ["VERSION_ID"] = push.NewVersion,
            ["WAVES_ID"] = waves,
            ["SLOW_ORGS"] = string.Join(",", slow),
            ["APPROVAL_ORGS"] = string.Join(",", orgs[10..]),
        }, TimeSpan.FromMinutes(4));
        foreach (var shot in Directory.GetFiles(shots, "*.png"))
        {
            TestContext.AddTestAttachment(shot, Path.GetFileName(shot));
        }

        var seen = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That(seen.Text("haltedState"), Is.EqualTo("Held"));
        Assert.That(seen.Text("haltReason"), Does.Contain("Wave 'internal'").And.Contain("2 of 5 finished jobs failed").And.Contain("automatically"));
        Assert.That(seen.GetProperty("waves").EnumerateArray().Select(w => (w.Text("name"), w.Text("status"))), Is.EqualTo(new[] { ("internal", "Succeeded"), ("rest", "Created") }));
        Assert.That(seen.Text("estimateBasis"), Is.EqualTo("halted"));
        Assert.That((seen.Text("resumedStatus"), seen.Text("finishedState")), Is.EqualTo(("Succeeded", "Finished")));
        var finished = await Admin.GetAsync($"/api/v1/deployments/{waves}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(finished.GetProperty("jobs").GetProperty("succeeded").GetInt32(), Is.EqualTo(8), "resumed from the console, the rest wave ran");

        var halted = await Admin.GetAsync($"/api/v1/deployments/{seen.Text("haltId")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((seen.Text("haltedPushStatus"), halted.Text("status")), Is.EqualTo(("Canceled", "Canceled")), "halted from the console while it ran");
        var haltedJobs = halted.GetProperty("jobs");
        Assert.That(haltedJobs.GetProperty("canceled").GetInt32(), Is.GreaterThan(0), "the jobs not started when it was halted are canceled");
        Assert.That(haltedJobs.GetProperty("succeeded").GetInt32() + haltedJobs.GetProperty("canceled").GetInt32(), Is.EqualTo(6), "the running ones finish");

        Assert.That(seen.Text("selfApproval"), Does.Contain("yourself"), "the refusal is shown in words");
        var approval = await Admin.GetAsync($"/api/v1/deployments/{seen.Text("approvalId")}/approval").ExpectAsync(HttpStatusCode.OK);
        Assert.That((approval.Text("decision"), approval.Text("decidedBy"), approval.Text("comment")), Is.EqualTo(("Approved", ApproverName, "Checked the release notes")));
        Assert.That(seen.Text("approvedStatus"), Is.EqualTo("Succeeded"));

        var readerButtons = new[] { "readerDetail", "readerDeploy", "readerList" }.SelectMany(p => seen.GetProperty(p).EnumerateArray()).ToList();
        Assert.That(readerButtons.Select(b => b.Text("id")), Is.SupersetOf(new[] { "retry", "preview" }));
        Assert.That(readerButtons.Where(b => !b.GetProperty("disabled").GetBoolean()).Select(b => b.Text("label")), Is.Empty, "a Read user sees no enabled write button");
        Assert.That(readerButtons.Select(b => b.Text("title")), Has.All.Contain("PushUpgrade permission"));

        Assert.That(seen.GetProperty("phoneWidth").GetInt32(), Is.LessThanOrEqualTo(390), "at a phone's width the page does not scroll sideways");
        Assert.That(seen.GetProperty("unlabelled").EnumerateArray().Select(e => e.GetString()), Is.Empty, "every control on every page shot has a label");
        Assert.That(seen.GetProperty("shownErrors").EnumerateArray().Select(e => e.GetString()), Is.Empty, "no error shown on the pages but the refused self-approval");

        // Refused API calls (the self-approval, the permission probes of non-admins) are logged by Chromium; nothing else may be.
        Assert.That(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()).Where(e => !e!.Contains("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)), Is.Empty,
            "no script errors and no content-security-policy violations");
        Assert.That(Directory.GetFiles(shots, "console-*.png").Select(Path.GetFileName), Is.SupersetOf(new[] { "console-halted.png", "console-approval.png", "console-read-only.png" }));
    }

    private async Task UserAsync(string username, params string[] permissions) =>
        await Admin.PostAsJsonAsync("/api/v1/users", new { username, password = Password, permissions }).ExpectAsync(HttpStatusCode.Created);

    /// <summary>Two waves that halt on 20 % failures; two of the first wave's five orgs are excluded after it is created, so they fail when it runs.</summary>
    private async Task<string> WavesThatHaltAsync(PushScenario push, List<string> orgs)
    {
        var created = await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = push.NewVersion,
            targets = new { orgKeys = orgs },
            scheduledStartTime = TimeProvider.System.GetUtcNow().AddSeconds(3),
            waves = new object[] { new { name = "internal", orgKeys = orgs.Take(5) }, new { name = "rest" } },
            haltOnFailureRate = 0.2,
            minJobs = 2,
        }).ExpectAsync(HttpStatusCode.Created);
        foreach (var org in orgs.Take(2))
        {
            await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = org, packageId = push.PackageId, reason = "Fails on purpose" }).ExpectAsync(HttpStatusCode.Created);
        }

        return created.Text("id");
    }
}
