using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The push monitor in headless Chromium (Debian's, driven by playwright-core): sign in, deploy to a
/// selection after a dry-run preview, watch the bar reach 100%, read and export the failures, cancel a
/// scheduled deployment. Screenshots are attached to the test.
/// </summary>
[NonParallelizable]
public class MonitorBrowserTests() : ApiFixture("monitor")
{
    private FakeAgent _agent = null!;

    [OneTimeTearDown]
    public async Task StopAgentAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }

    [Test]
    public async Task An_operator_deploys_watches_reads_failures_and_cancels_from_the_browser()
    {
        _agent = await FakeAgent.StartAsync();
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "monitor");
        var local = await push.TenantsAsync(6);
        var remote = await push.TenantsAsync(1, _agent.AgentFor());
        _agent.Set(remote[0], new FakeAgent.Behaviour
        {
            Statuses = [409],
            ErrorBody = """{"errorType":"DeployError","errorTitle":"Apex Compile Failure","errorMessage":"Class Foo does not compile","errorSeverity":"Error"}""",
        });
        await Admin.DeleteAsync($"/api/v1/installations/{local[5]}/{push.PackageId}").ExpectAsync(HttpStatusCode.OK);
        var shots = ClientTools.ScreenshotDirectory("monitor");

        var output = await ClientTools.RunNodeAsync("monitor-browser.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["PUSHAPI_SCREENSHOTS"] = shots,
            ["VERSION_ID"] = push.NewVersion,
            ["ORG_KEYS"] = string.Join(",", new[] { local[0], local[1], local[2], remote[0], local[5], "00DnoSuchOrg000" }),
            ["LATER_ORG"] = local[3],
        }, TimeSpan.FromMinutes(3));
        foreach (var shot in Directory.GetFiles(shots, "*.png"))
        {
            TestContext.AddTestAttachment(shot, Path.GetFileName(shot));
        }

        var seen = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That(seen.Text("badSignIn"), Is.Not.Empty);
        Assert.That(seen.Text("signedInAs"), Is.EqualTo(PushApiServer.AdminUsername));
        Assert.That(seen.Text("defaultVersion"), Is.EqualTo(push.NewVersion), "the Deploy form starts on the newest released version, not the oldest");
        Assert.That((seen.GetProperty("eligible").GetInt32(), seen.GetProperty("leftOut").GetInt32()), Is.EqualTo((4, 2)), "the preview shows who is left out before anything is created");
        Assert.That(seen.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(new[] { "UnknownOrg", "Uninstalled" }));

        var id = seen.Text("deploymentId");
        Assert.That(seen.Text("finalStatus"), Is.EqualTo("Succeeded"));
        Assert.That(await push.JobStatusesAsync(id), Is.EquivalentTo(new Dictionary<string, string>
        {
            [local[0]] = "Succeeded",
            [local[1]] = "Succeeded",
            [local[2]] = "Succeeded",
            [remote[0]] = "Failed",
        }));
        Assert.That(seen.GetProperty("failedOrgs").EnumerateArray().Select(o => o.GetString()), Is.EqualTo(new[] { remote[0] }));
        Assert.That(seen.GetProperty("failureGroups")[0].EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "DeployError", "Apex Compile Failure", "1" }));
        Assert.That(seen.Text("csv"), Does.Contain(remote[0]).And.Contain("Class Foo does not compile"));
        Assert.That(seen.GetProperty("succeededJobs").GetInt32(), Is.EqualTo(3));

        var scheduled = seen.Text("scheduledId");
        Assert.That(seen.Text("scheduledStatus"), Is.EqualTo("Pending"));
        Assert.That((await push.RequestRecordAsync(scheduled)).Text("Status"), Is.EqualTo("Canceled"));
        Assert.That((await push.RequestRecordAsync(scheduled)).Text("ScheduledStartTime"), Does.StartWith("2031-06-01"));
        Assert.That(seen.GetProperty("listed").EnumerateArray().Select(i => i.GetString()), Is.SupersetOf(new[] { id, scheduled }));
        Assert.That(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()).Where(e => !e!.Contains("status of 400", StringComparison.Ordinal)), Is.Empty,
            "no script errors and no content-security-policy violations (the one 400 is the wrong password)");
        Assert.That(File.Exists(Path.Combine(shots, "monitor-deployment.png")), Is.True);
    }

    [Test]
    public async Task The_monitor_is_served_with_a_strict_content_security_policy()
    {
        using var client = Server.Anonymous();
        using var redirect = await client.GetAsync("/monitor");
        Assert.That(redirect.RequestMessage!.RequestUri!.AbsolutePath, Is.EqualTo("/monitor/"));
        Assert.That(redirect.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await redirect.Content.ReadAsStringAsync(), Does.Contain("push monitor"));
        Assert.That(redirect.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'"));
        using var script = await client.GetAsync("/monitor/js/app.js");
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await client.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.Unauthorized);
    }
}

/// <summary>The monitor where mass deployment is switched off: it says why, and Deploy can't be pressed.</summary>
[NonParallelizable]
public class MonitorWithMassDeploymentOffTests() : ApiFixture("monitoroff", settings: PushApiServer.FeaturesOff)
{
    [Test]
    public async Task The_list_and_the_Deploy_form_say_mass_deployment_is_off_and_Deploy_is_disabled()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "monitoroff");
        await push.TenantsAsync(2);
        var shots = ClientTools.ScreenshotDirectory("monitor-off");
        var output = await ClientTools.RunNodeAsync("monitor-browser-feature-off.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["PUSHAPI_SCREENSHOTS"] = shots,
        }, TimeSpan.FromMinutes(2));
        foreach (var shot in Directory.GetFiles(shots, "*.png"))
        {
            TestContext.AddTestAttachment(shot, Path.GetFileName(shot));
        }

        var seen = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That(seen.Text("listNotice"), Does.Contain("Mass deployment is turned off").And.Contain("PushApi__Features__MassDeployment"));
        Assert.That(seen.GetProperty("listError").GetBoolean(), Is.False, "a notice, not an error");
        Assert.That(seen.Text("deployNotice"), Does.Contain("Mass deployment is turned off").And.Contain("PATCH /api/v1/settings").And.Contain("PushApi__Features__MassDeployment=true"));
        Assert.That(seen.GetProperty("previewDisabled").GetBoolean(), Is.True);
        Assert.That(seen.Text("scheduleNotice"), Does.Contain("Mass deployment is turned off"), "Schedule Push Upgrades says so too");
        var schedule = seen.GetProperty("scheduleButtons").EnumerateArray().ToList();
        Assert.That(schedule.Select(b => b.Text("id")), Is.EquivalentTo(new[] { "preview", "schedule" }));
        Assert.That(schedule.Select(b => (b.GetProperty("disabled").GetBoolean(), b.Text("title"))), Has.All.EqualTo((true, "Mass deployment is turned off on this installation.")));
        Assert.That(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()).Where(e => !e!.Contains("status of 403", StringComparison.Ordinal)), Is.Empty,
            "no script errors and no content-security-policy violations (the 403 is the refused deployments list)");
    }
}
