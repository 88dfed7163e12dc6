using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The operator console's Tenants pages and Settings and audit in headless Chromium (one browser run, one server):
/// a tenant's components after a push installed a package, its install and its job; the tenant list searched by a part
/// of a name and an exact org id and paged; a CSV import with a bad row (progress to 100 %, the error in words); an admin
/// flipping a switch, creating an API client whose secret is shown once, adding and deleting a webhook and finding those
/// actions in the audit log; a Read user with no enabled write button and no Settings; no console errors (the CSP holds).
/// </summary>
[NonParallelizable]
public class ConsoleTenantsBrowserTests() : ApiFixture("console-tenants")
{
    private const string ReaderName = "console-tenants-reader@test.local";
    private const string Password = "Console-Password-1";

    [Test]
    public async Task An_admin_browses_tenants_imports_a_csv_and_manages_settings_while_a_reader_can_only_look()
    {
        var steps = new InstallSteps(Admin);
        var package = await steps.PackageAsync("Console Invoicing", false,
            ("Object", "Invoice", new { label = "Invoice" }), ("Field", "Invoice.Amount", new { @object = "Invoice" }), ("Class", "Billing", new { source = "v1" }));
        var version = await steps.PublishAsync(package, 1);
        var tenant = await steps.TenantAsync("Console Alpha Tenant");
        var deployment = await steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { tenant } }, installMode = "installOrUpgrade" });
        await steps.AddComponentAsync(tenant, "Field", "Discount", new { @object = "Invoice" }, "Invoice");
        var paging = Enumerable.Range(0, 60).Select(i => new
        {
            orgName = $"Console Paging {i:D2}",
            orgType = i % 3 == 0 ? "Sandbox" : "Production",
            orgStatus = "Active",
            packageVersionId = version,
            hasRestrictionEnabled = i % 7 == 3,
            maintenanceWindow = i % 4 == 1 ? new { timeZone = "Europe/Berlin", days = new[] { "Saturday", "Sunday" }, start = "01:00", end = "05:00" } : null,
        });
        var imported = await Admin.PostAsJsonAsync("/api/v1/tenants/import", paging).ExpectAsync(HttpStatusCode.OK);
        foreach (var row in imported.GetProperty("rows").EnumerateArray().Where((_, i) => i % 9 == 2))
        {
            await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = row.Text("orgKey"), packageId = package, reason = "Contract review" }).ExpectAsync(HttpStatusCode.Created);
        }

        await Admin.PostAsJsonAsync("/api/v1/users", new { username = ReaderName, password = Password, permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);

        var csvGood = new[] { "00D" + Core.Ids.Base62.Random(12), "00D" + Core.Ids.Base62.Random(12) };
        var work = ClientTools.ScreenshotDirectory("console-tenants");
        var csv = Path.Combine(work, "tenants.csv");
        await File.WriteAllTextAsync(csv,
            $"orgKey,orgName,orgType,orgStatus,windowTimeZone,windowDays,windowStart,windowEnd\n{csvGood[0]},Csv Good One,Production,Active,Europe/Paris,Saturday Sunday,02:00,05:00\n"
            + $",Csv Bad Row,Scratch,Active,,,,\n{csvGood[1]},Csv Good Two,Sandbox,Trial,,,,\n");
        var shots = Path.Combine(work, "shots");
        Directory.CreateDirectory(shots);

        var output = await ClientTools.RunNodeAsync("console-tenants-browser.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["READER_USERNAME"] = ReaderName,
            ["READER_PASSWORD"] = Password,
            ["PUSHAPI_SCREENSHOTS"] = shots,
            ["TENANT_KEY"] = tenant,
            ["CSV_FILE"] = csv,
            ["WEBHOOK_URL"] = "http://127.0.0.1:9/pushapi-console-hook",
        }, TimeSpan.FromMinutes(4));
        foreach (var shot in Directory.GetFiles(shots, "*.png"))
        {
            TestContext.AddTestAttachment(shot, Path.GetFileName(shot));
        }

        var seen = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        AssertTenantPage(seen, tenant, deployment);
        await AssertListAndImportAsync(seen, tenant, csvGood);
        await AssertSettingsAsync(seen);
        AssertReader(seen);

        Assert.That(seen.GetProperty("unlabelled").EnumerateArray().Select(e => e.GetString()), Is.Empty, "every control on every page shot has a label");
        Assert.That(seen.GetProperty("shownErrors").EnumerateArray().Select(e => e.GetString()), Is.Empty, "no error shown on the pages");
        Assert.That(seen.GetProperty("phoneWidths").EnumerateArray().Select(w => w.GetInt32()), Has.All.LessThanOrEqualTo(390), "at a phone's width no page scrolls sideways");
        Assert.That(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()), Is.Empty, "no script errors, refused calls or content-security-policy violations");
        Assert.That(Directory.GetFiles(shots, "console-*.png").Select(Path.GetFileName),
            Is.SupersetOf(new[] { "console-tenants.png", "console-tenant.png", "console-tenant-import.png", "console-settings.png", "console-api-client.png", "console-audit.png" }));
    }

    private static void AssertTenantPage(JsonElement seen, string tenant, string deployment)
    {
        var components = seen.GetProperty("components").EnumerateArray().Select(c => (c.Text("name"), c.Text("origin"))).ToList();
        Assert.That(components, Is.SupersetOf(new[] { ("Invoice", "package"), ("Invoice.Amount", "package"), ("Billing", "package"), ("Discount", "tenant") }),
            "the package's components and the tenant's own");
        var installs = seen.GetProperty("installs").EnumerateArray().ToList();
        Assert.That(installs.Select(i => i.GetString()), Has.One.Contains("Console Invoicing").And.Contains("1.0").And.Contains("Installed"));
        Assert.That(seen.Text("historyNote"), Does.Contain("no install history record"));
        var job = seen.GetProperty("jobs").EnumerateArray().Single();
        Assert.That((job.Text("status"), job.Text("deployment")), Is.EqualTo(("Succeeded", $"#/deployments/{deployment}")));
        Assert.That(seen.Text("openedDeployment"), Does.EndWith(deployment), "the job links to its deployment");
        Assert.That(seen.Text("tenantKey"), Is.EqualTo(tenant));
    }

    private async Task AssertListAndImportAsync(JsonElement seen, string tenant, string[] csvGood)
    {
        Assert.That(seen.GetProperty("partialSearch").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { tenant }), "a part of the name");
        Assert.That(seen.GetProperty("exactSearch").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { tenant }), "the exact org id");
        Assert.That(seen.Text("tenantRowPackages"), Does.Contain("Console Invoicing 1.0"));
        var pages = seen.GetProperty("pagingCounts").EnumerateArray().Select(c => c.GetInt32()).ToList();
        Assert.That(pages, Is.EqualTo(new[] { 50, 10, 50 }), "60 matches: 50, the next 10, back to the first 50");
        Assert.That(seen.GetProperty("pagedKeysUnique").GetBoolean(), Is.True, "no tenant on both pages");

        var updated = await Admin.GetAsync($"/api/v1/tenants/{tenant}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(updated.GetProperty("hasRestrictionEnabled").GetBoolean(), Is.True, "the opt-out saved from the tenant page");
        Assert.That(seen.Text("optOutShown"), Does.Contain("Opted out"));

        Assert.That(seen.GetProperty("importProgress").GetInt32(), Is.EqualTo(100));
        var rows = seen.GetProperty("importRows").EnumerateArray().ToList();
        Assert.That(rows.Select(r => r.Text("outcome")), Is.EqualTo(new[] { "Created", "Failed", "Created" }));
        Assert.That(rows[1].Text("message"), Does.Contain("orgType must be one of Production, Sandbox"), "the bad row's error in words");
        foreach (var key in csvGood)
        {
            await Admin.GetAsync($"/api/v1/tenants/{key}").ExpectAsync(HttpStatusCode.OK);
        }

        var one = await Admin.GetAsync($"/api/v1/tenants/{csvGood[0]}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(one.GetProperty("maintenanceWindow").Text("timeZone"), Is.EqualTo("Europe/Paris"));
        var bad = await Admin.GetAsync("/api/v1/tenants?search=csv%20bad").ExpectAsync(HttpStatusCode.OK);
        Assert.That(bad.GetProperty("records").GetArrayLength(), Is.Zero, "the bad row made no tenant");
    }

    private async Task AssertSettingsAsync(JsonElement seen)
    {
        var settings = await Admin.GetAsync("/api/v1/settings").ExpectAsync(HttpStatusCode.OK);
        Assert.That(settings.GetProperty("requireApproval").GetBoolean(), Is.True, "the switch flipped in the console");
        Assert.That(seen.Text("switchShown"), Is.EqualTo("on"));
        Assert.That(seen.GetProperty("massDeploymentLocked").GetBoolean(), Is.True, "a switch the configuration turns on cannot be changed in the console");

        var secret = seen.Text("clientSecret");
        Assert.That(secret, Is.Not.Empty);
        Assert.That(seen.GetProperty("secretAfterReload").GetBoolean(), Is.False, "the secret is not shown again after a reload");
        var clients = await Admin.GetAsync("/api/v1/api-clients").ExpectAsync(HttpStatusCode.OK);
        var client = clients.EnumerateArray().Single(c => c.Text("name") == "console-ci");
        Assert.That(client.Text("clientId"), Is.EqualTo(seen.Text("clientId")));
        Assert.That(client.GetProperty("clientSecret").ValueKind, Is.EqualTo(JsonValueKind.Null), "the API never shows it again either");
        using var anonymous = Server.Anonymous();
        using var token = await anonymous.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client.Text("clientId"),
            ["client_secret"] = secret,
        }));
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the secret shown is the client's secret");

        Assert.That(seen.GetProperty("webhookAdded").GetBoolean(), Is.True);
        var hooks = await Admin.GetAsync("/api/v1/webhooks").ExpectAsync(HttpStatusCode.OK);
        Assert.That(hooks.EnumerateArray().Where(h => h.Text("url") == "http://127.0.0.1:9/pushapi-console-hook" && h.GetProperty("isActive").GetBoolean()), Is.Empty, "deleted from the console");
        Assert.That(hooks.EnumerateArray().Count(h => h.Text("url") == "http://127.0.0.1:9/pushapi-console-hook"), Is.LessThanOrEqualTo(1));

        var actions = seen.GetProperty("auditActions").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.That(actions, Is.SupersetOf(new[] { "PATCH /api/v1/settings", "POST /api/v1/api-clients", "POST /api/v1/webhooks", "DELETE /api/v1/webhooks/{id:long}", "PATCH /api/v1/tenants/{orgKey}", "POST /api/v1/tenants/import" }));
        Assert.That(seen.GetProperty("auditFiltered").EnumerateArray().Select(a => a.GetString()), Has.All.StartWith("POST /api/v1/webhooks").And.Not.Empty);
    }

    private static void AssertReader(JsonElement seen)
    {
        var buttons = seen.GetProperty("readerButtons").EnumerateArray().ToList();
        Assert.That(buttons.Select(b => b.Text("id")), Is.SupersetOf(new[] { "open-import", "tenant-save", "import-submit" }));
        Assert.That(buttons.Where(b => !b.GetProperty("disabled").GetBoolean()).Select(b => b.Text("id")), Is.Empty, "a Read user sees no enabled write button");
        Assert.That(buttons.Select(b => b.Text("title")), Has.All.Contain("Admin permission"));
        Assert.That(seen.Text("readerSettingsLink"), Does.Contain("Admin permission"), "the Settings link is disabled with the reason");
        Assert.That(seen.Text("readerSettingsPage"), Does.Contain("for administrators"));
        Assert.That(seen.Text("readerTenantTitle"), Does.Contain("Console Alpha Tenant"), "a reader still sees the tenant");
    }
}
