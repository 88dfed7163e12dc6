using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The console's Schedule Push Upgrades page and the per-tenant drill-down in headless Chromium (one browser run, one
/// server): Salesforce's filters (a partial name, Sandbox only, an installed version) over more than three pages,
/// Select All across them, one deselected, a preview of matching − 1 with the hidden orgs counted by reason, and the
/// deployment scheduled for exactly those orgs; a two-wave deployment built in the waves editor; a failed job's error
/// in its drill-down; a Read user who cannot preview or schedule; no console errors (the CSP holds).
/// </summary>
[NonParallelizable]
public class ConsoleScheduleBrowserTests() : ApiFixture("schedule")
{
    private const string ReaderName = "schedule-reader@test.local";
    private const string Password = "Schedule-Password-1";
    private const int Matching = 160;

    [Test]
    public async Task An_operator_schedules_a_filtered_select_all_push_with_waves_and_reads_a_failed_tenant_while_a_reader_can_only_look()
    {
        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "schedule");
        var newest = await PushScenario.CreateVersionAsync(Admin, push.PackageId, 3);
        var matching = await ImportAsync(Matching + 3, i => $"Acme Sandbox {i:000}", "Sandbox", push.OldVersion);
        // Seen by the filter but hidden: two orgs in another (scheduled) push, one on the exclusion list.
        await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { orgKeys = matching[..2] }, scheduledStartTime = TimeProvider.System.GetUtcNow().AddDays(30) })
            .ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = matching[2], packageId = push.PackageId, reason = "Not this one" }).ExpectAsync(HttpStatusCode.Created);
        var eligible = matching[3..];
        // Not matching: production orgs of that name, sandboxes of another name, and sandboxes of that name on 2.0.
        await ImportAsync(5, i => $"Acme Sandbox Prod {i}", "Production", push.OldVersion);
        await ImportAsync(5, i => $"Other Org {i}", "Sandbox", push.OldVersion);
        await ImportAsync(5, i => $"Acme Sandbox Two {i}", "Sandbox", push.NewVersion);
        var waveOrgs = await ImportAsync(6, i => $"Wave Org {i}", "Production", push.OldVersion);
        var failed = await FailedDeploymentAsync();
        await Admin.PostAsJsonAsync("/api/v1/users", new { username = ReaderName, password = Password, permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
        var shots = ClientTools.ScreenshotDirectory("schedule");

        var output = await ClientTools.RunNodeAsync("console-schedule-browser.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["READER_USERNAME"] = ReaderName,
            ["READER_PASSWORD"] = Password,
            ["PUSHAPI_SCREENSHOTS"] = shots,
            ["PACKAGE_ID"] = push.PackageId,
            ["OLD_VERSION"] = push.OldVersion,
            ["FAILED_ID"] = failed.Deployment,
            ["FAILED_ORG"] = failed.Org,
            ["EXPECTED_TOTAL"] = eligible.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, TimeSpan.FromMinutes(4));
        foreach (var shot in Directory.GetFiles(shots, "*.png"))
        {
            TestContext.AddTestAttachment(shot, Path.GetFileName(shot));
        }
        var seen = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        Assert.That(seen.Text("defaultVersion"), Is.EqualTo(newest), "the newest released version is the default");
        Assert.That(seen.GetProperty("total").GetInt32(), Is.EqualTo(eligible.Count), "the filter's eligible orgs");
        Assert.That(seen.GetProperty("hidden").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()),
            Is.EquivalentTo(new Dictionary<string, int> { ["AlreadyScheduled"] = 2, ["Excluded"] = 1 }), "the hidden orgs, counted by reason");
        Assert.That(seen.GetProperty("pagesVisited").EnumerateArray().Select(p => p.GetInt32()), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(seen.GetProperty("allCheckedOnPages").EnumerateArray().Select(p => p.GetBoolean()), Has.All.True, "Select All checks every row of every page");
        Assert.That(seen.GetProperty("selectedAfterDeselect").GetInt32(), Is.EqualTo(eligible.Count - 1));
        Assert.That(seen.GetProperty("deselectedStaysUnchecked").GetBoolean(), Is.True, "a deselected org stays deselected across pages");
        Assert.That(seen.GetProperty("previewCount").GetInt32(), Is.EqualTo(eligible.Count - 1), "the preview's count is matching − 1");
        Assert.That(seen.GetProperty("previewReasons").EnumerateArray().Select(r => r.GetString()), Is.EquivalentTo(new[] { "AlreadyScheduled: 2", "Excluded: 1" }), "the hidden orgs, left out by reason");
        Assert.That(seen.GetProperty("scheduleDisabledBeforePreview").GetBoolean(), Is.True);
        Assert.That(seen.GetProperty("scheduleDisabledAfterChange").GetBoolean(), Is.True, "a change after the preview disables Schedule");
        var deselected = seen.Text("deselected");
        Assert.That(eligible, Does.Contain(deselected));

        var jobs = await JobOrgsAsync(seen.Text("scheduledId"));
        Assert.That(jobs, Is.EquivalentTo(eligible.Where(o => o != deselected)), "exactly the matching orgs but the deselected one");

        var waves = await Admin.GetAsync($"/api/v1/deployments/{seen.Text("wavesId")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(waves.GetProperty("waves").EnumerateArray().Select(w => w.Text("name")), Is.EqualTo(new[] { "canary", "everyone else" }));
        Assert.That(seen.GetProperty("previewWaves").EnumerateArray().Select(w => w.GetInt32()), Is.EqualTo(new[] { 3, 3 }), "50 % of six, then the rest");
        Assert.That(await JobOrgsAsync(seen.Text("wavesId")), Is.EquivalentTo(waveOrgs));

        Assert.That(seen.Text("drillStatus"), Is.EqualTo("Failed"));
        Assert.That(seen.Text("drillErrors"), Does.Contain("DeployError").And.Contain("Name Conflict").And.Contain("Class Router"), "the failed job's PackagePushError with its details");
        Assert.That(seen.Text("drillPlan"), Does.Contain("Kind: install").And.Contain("Tax"), "the tenant's install plan for the version");
        Assert.That(seen.GetProperty("drillPlanNotice").GetBoolean(), Is.True, "the page says the applied plan is not recorded");

        var reader = seen.GetProperty("reader").EnumerateArray().ToList();
        Assert.That(reader.Select(b => b.Text("id")), Is.SupersetOf(new[] { "preview", "schedule" }));
        Assert.That(reader.Where(b => !b.GetProperty("disabled").GetBoolean()).Select(b => b.Text("id")), Is.Empty, "a Read user can neither preview nor schedule");
        Assert.That(reader.Select(b => b.Text("title")), Has.All.Contain("PushUpgrade permission"));
        Assert.That(seen.GetProperty("readerTotal").GetInt32(), Is.GreaterThan(0), "a Read user sees the target table");

        Assert.That(seen.GetProperty("phoneWidth").GetInt32(), Is.LessThanOrEqualTo(390), "at a phone's width the page does not scroll sideways");
        Assert.That(seen.GetProperty("unlabelled").EnumerateArray().Select(e => e.GetString()), Is.Empty, "every control on every page shot has a label");
        Assert.That(seen.GetProperty("shownErrors").EnumerateArray().Select(e => e.GetString()), Is.Empty);
        Assert.That(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()).Where(e => !e!.Contains("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)), Is.Empty,
            "no script errors and no content-security-policy violations");
        Assert.That(Directory.GetFiles(shots, "console-*.png").Select(Path.GetFileName), Is.SupersetOf(new[] { "console-schedule.png", "console-schedule-preview.png", "console-job.png" }));
    }

    private async Task<List<string>> ImportAsync(int count, Func<int, string> name, string orgType, string version)
    {
        var rows = Enumerable.Range(0, count).Select(i => new { orgName = name(i), orgType, orgStatus = "Active", packageVersionId = version });
        var result = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        Assert.That(result.GetProperty("failed").GetInt32(), Is.Zero, result.ToString());
        return [.. result.GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey"))];
    }

    /// <summary>A finished install of a package with components on two tenants; the first fails: it has a class of its own named as one of the package's.</summary>
    private async Task<(string Deployment, string Org)> FailedDeploymentAsync()
    {
        var steps = new InstallSteps(Admin);
        var package = await steps.PackageAsync("Billing", locked: true, ("Object", "Invoice", new { }), ("Class", "Router", new { }), ("Class", "Tax", new { }));
        var version = await steps.PublishAsync(package, 1);
        var conflict = await steps.TenantAsync("Failing Org 0");
        var ok = await steps.TenantAsync("Failing Org 1");
        await steps.AddComponentAsync(conflict, "Class", "ROUTER", new { });
        var id = await steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { conflict, ok } }, installMode = "installOrUpgrade" });
        var failures = await steps.FailuresAsync(id);
        Assert.That(failures.GetProperty("failures").EnumerateArray().Select(f => f.Text("orgKey")), Is.EqualTo(new[] { conflict }));
        return (id, conflict);
    }

    private async Task<List<string>> JobOrgsAsync(string deployment)
    {
        var page = await Admin.GetAsync($"/api/v1/deployments/{deployment}/jobs?limit=1000").ExpectAsync(HttpStatusCode.OK);
        Assert.That(page.GetProperty("next").ValueKind, Is.EqualTo(JsonValueKind.Null));
        return [.. page.GetProperty("items").EnumerateArray().Select(j => j.Text("orgKey"))];
    }
}
