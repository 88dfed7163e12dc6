using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Installs;

/// <summary>
/// The install engine in pushes (deployments): fresh installs where the tenant lacks the package (installOrUpgrade),
/// upgrades that overwrite the tenant's changes and preserve its additions exactly as the plan said, and every check as
/// the PackagePushError a report and CSV show — a name conflict failing its tenant while the others in the same push
/// install, the rollup limit, a package the tenant lacks, a feature it lacks.
/// </summary>
public partial class InstallPushTests() : ApiFixture("installpush")
{
    private InstallSteps _steps = null!;

    protected override Task OnStartedAsync()
    {
        _steps = new InstallSteps(Admin);
        return Task.CompletedTask;
    }

    [Test]
    public async Task A_deployment_installs_where_the_tenant_lacks_the_package_and_upgrades_as_the_plan_said()
    {
        var package = await _steps.PackageAsync("Invoicing Push", locked: false,
            ("Object", "Invoice", new { label = "Invoice" }),
            ("Field", "Invoice.Amount", new { @object = "Invoice" }),
            ("Class", "Billing", new { source = "v1" }),
            ("Page", "Old", new { }));
        var v1 = await _steps.PublishAsync(package, 1);
        var (a, b, c) = (await _steps.TenantAsync("Fresh A"), await _steps.TenantAsync("Fresh B"), await _steps.TenantAsync("Fresh C"));

        // Salesforce's behaviour by default: a tenant without the package is left out.
        var upgradeOnly = await _steps.DeployAsync(new { packageVersionId = v1, targets = new { orgKeys = new[] { a } } }, HttpStatusCode.UnprocessableEntity);
        Assert.That(upgradeOnly.GetProperty("report").GetProperty("leftOutByReason").GetProperty("NotInstalled").GetInt32(), Is.EqualTo(1));
        var everyone = await _steps.DeployAsync(new { packageVersionId = v1, targets = new { all = true }, installMode = "installOrUpgrade", dryRun = true }, HttpStatusCode.OK);
        Assert.That(everyone.GetProperty("report").GetProperty("leftOut").EnumerateArray().Select(l => l.Text("orgKey")), Has.None.AnyOf(a, b, c), "all tenants of the platform, installed or not");

        var fresh = await _steps.DeployAndWaitAsync(new { packageVersionId = v1, targets = new { orgKeys = new[] { a, b } }, installMode = "installOrUpgrade" });
        var jobs = await Admin.GetAsync($"/services/data/v62.0/query?q={Uri.EscapeDataString($"SELECT SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{fresh}'")}")
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(jobs.GetProperty("records").EnumerateArray().Select(r => (r.Text("SubscriberOrganizationKey"), r.Text("Status"))), Is.EquivalentTo(new[] { (a, "Succeeded"), (b, "Succeeded") }),
            "a fresh install is a PackagePushJob like any other");
        Assert.That((await _steps.ComponentsAsync(a)).Select(x => x.Text("name")), Is.EquivalentTo(new[] { "Invoice", "Invoice.Amount", "Billing", "Old" }));
        Assert.That(await _steps.InstalledVersionAsync(a), Is.EqualTo(v1));

        // The tenant adds a field to the packaged object and changes a packaged class (the package is unlocked).
        var discount = await _steps.AddComponentAsync(a, "Field", "Discount", new { @object = "Invoice" }, parent: "Invoice");
        Assert.That(discount.Text("apiName"), Is.EqualTo($"Discount_{a}"));
        var billing = (await _steps.ComponentsAsync(a)).Single(x => x.Text("name") == "Billing");
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{a}/components/{billing.Text("id")}", new { definition = new { source = "tenant's own" } }).ExpectAsync(HttpStatusCode.OK);

        var items = await Admin.GetAsync($"/api/v1/packages/{package}/items").ExpectAsync(HttpStatusCode.OK);
        await Admin.DeleteAsync($"/api/v1/packages/{package}/items/{items.EnumerateArray().Single(i => i.Text("name") == "Old").Text("id")}").ExpectAsync(HttpStatusCode.NoContent);
        await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/items", new { type = "Class", name = "Tax", definition = new { } }).ExpectAsync(HttpStatusCode.Created);
        var v2 = await _steps.PublishAsync(package, 2);
        var plan = await _steps.PlanAsync(a, v2);
        var before = (await _steps.ComponentsAsync(a)).ToDictionary(x => x.Text("apiName"), x => x.GetRawText());

        var upgrade = await _steps.DeployAsync(new { packageVersionId = v2, targets = new { orgKeys = new[] { a, b, c } } });
        Assert.That(upgrade.GetProperty("report").GetProperty("leftOut").EnumerateArray().Select(l => (l.Text("orgKey"), l.Text("reason"))), Is.EqualTo(new[] { (c, "NotInstalled") }));
        var finished = await _steps.FinishedAsync(upgrade.Text("id"));
        Assert.That(finished.Text("status"), Is.EqualTo("Succeeded"));

        // What changed is exactly what the plan listed.
        var after = (await _steps.ComponentsAsync(a)).ToDictionary(x => x.Text("apiName"));
        Assert.That(InstallSteps.Names(plan, "create"), Is.EqualTo(new[] { "Class Tax" }));
        Assert.That(after.Keys.Except(before.Keys), Is.EqualTo(new[] { "Tax" }));
        Assert.That(InstallSteps.Names(plan, "overwrite"), Is.EqualTo(new[] { "Class Billing" }));
        Assert.That(after["Billing"].GetProperty("definition").GetProperty("source").GetString(), Is.EqualTo("v1"));
        Assert.That(after["Billing"].GetProperty("modified").GetBoolean(), Is.False);
        Assert.That(InstallSteps.Names(plan, "preserve"), Is.EqualTo(new[] { $"Field Discount_{a}" }));
        Assert.That(after[$"Discount_{a}"].GetRawText(), Is.EqualTo(before[$"Discount_{a}"]), "the tenant's addition is untouched");
        Assert.That(InstallSteps.Names(plan, "orphan"), Is.EqualTo(new[] { "Page Old" }));
        Assert.That(after["Old"].GetProperty("orphaned").GetBoolean(), Is.True);
        Assert.That(plan.GetProperty("counts").GetProperty("unchanged").GetInt32(), Is.EqualTo(2));
        Assert.That(after["Invoice"].GetProperty("definition").GetRawText(), Is.EqualTo(JsonDocument.Parse(before["Invoice"]).RootElement.GetProperty("definition").GetRawText()));
        Assert.That((await _steps.InstalledVersionAsync(a), await _steps.InstalledVersionAsync(b)), Is.EqualTo((v2, v2)));

        // Salesforce's own API stays Salesforce's: a job for an org without the package is INVALID_OPERATION.
        var request = (await Admin.PostAsJsonAsync("/services/data/v62.0/sobjects/PackagePushRequest", new { PackageVersionId = v2 }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var refused = await Admin.PostAsJsonAsync("/services/data/v62.0/sobjects/PackagePushJob", new { PackagePushRequestId = request, SubscriberOrganizationKey = c })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(refused[0].Text("errorCode"), Is.EqualTo("INVALID_OPERATION"));
    }

    [Test]
    public async Task Every_check_fails_only_its_tenant_with_the_push_error_Salesforce_would_give()
    {
        var core = await _steps.PackageAsync("Orders Core", locked: true, ("Object", "Account2", new { }));
        var coreV1 = await _steps.PublishAsync(core, 1);
        var package = await _steps.PackageAsync("Orders", locked: true,
            ("Object", "Order", new { rollupSummaryFields = new[] { "Total" } }),
            ("Object", "Line", new { masterDetail = new { master = "Order" } }),
            ("RollupSummaryField", "Total", new { @object = "Order", detail = "Line" }),
            ("Class", "Router", new { }),
            ("Site", "Portal", new { }));
        await Admin.PutAsJsonAsync($"/api/v1/packages/{package}/dependencies", new[] { new { packageId = core, minimumVersion = "1.0" } }).ExpectAsync(HttpStatusCode.OK);
        var version = await _steps.PublishAsync(package, 1);

        var ok = await _steps.TenantAsync("Checks OK");
        var conflict = await _steps.TenantAsync("Checks Conflict");
        var limited = await _steps.TenantAsync("Checks Limit");
        var lacking = await _steps.TenantAsync("Checks Feature");
        var missingCore = await _steps.TenantAsync("Checks Dependency");
        foreach (var tenant in new[] { ok, conflict, limited, lacking })
        {
            await _steps.InstallFromFileAsync(tenant, coreV1, HttpStatusCode.OK);
        }

        await _steps.AddComponentAsync(conflict, "Class", "ROUTER", new { });
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{limited}", new { capabilities = new { maxRollupSummaryFields = 0 } }).ExpectAsync(HttpStatusCode.OK);
        var features = await Admin.PatchAsJsonAsync($"/api/v1/tenants/{lacking}", new { capabilities = new { features = new[] { "crm" } } }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(features.GetProperty("capabilities").GetProperty("features").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { "CRM" }));
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{lacking}", new { capabilities = new { features = new[] { "Teleport" } } }).ExpectAsync(HttpStatusCode.BadRequest);

        var id = await _steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = new[] { ok, conflict, limited, lacking, missingCore } }, installMode = "installOrUpgrade" });
        var failures = await _steps.FailuresAsync(id);
        var byOrg = failures.GetProperty("failures").EnumerateArray().ToDictionary(f => f.Text("orgKey"));
        Assert.That(byOrg.Keys, Is.EquivalentTo(new[] { conflict, limited, lacking, missingCore }));
        Assert.That((byOrg[conflict].Text("errorType"), byOrg[conflict].Text("errorTitle")), Is.EqualTo(("DeployError", "Name Conflict")));
        Assert.That(byOrg[conflict].Text("errorDetails"), Does.Contain("Class Router"));
        Assert.That((byOrg[limited].Text("errorType"), byOrg[limited].Text("errorTitle")), Is.EqualTo(("LimitExceeded", "Rollup Summary Field Limit Exceeded")));
        Assert.That(byOrg[limited].Text("errorMessage"), Does.Contain("delete 1"));
        Assert.That((byOrg[lacking].Text("errorType"), byOrg[lacking].Text("errorTitle")), Is.EqualTo(("FeatureMissing", "Feature Missing")));
        Assert.That(byOrg[lacking].Text("errorMessage"), Does.Contain("Sites").And.Contain("Site Portal"));
        Assert.That((byOrg[missingCore].Text("errorType"), byOrg[missingCore].Text("errorTitle")), Is.EqualTo(("IneligibleUpgrade", "Dependent Package Conflict")));

        Assert.That((await _steps.ComponentsAsync(ok, package)).Count, Is.EqualTo(5));
        foreach (var refused in new[] { conflict, limited, lacking, missingCore })
        {
            Assert.That(await _steps.ComponentsAsync(refused, package), Is.Empty, $"nothing of the package reached {refused}");
        }

        Assert.That(await _steps.InstalledVersionAsync(missingCore), Is.Null);
    }

    [Test]
    public async Task A_push_to_5000_tenants_groups_the_3_percent_that_conflict_in_the_report_and_the_CSV()
    {
        var items = Enumerable.Range(1, 20).SelectMany(i => new[] { ("Object", $"Thing{i}", (object)new { }), ("Class", $"Logic{i}", (object)new { source = i }) }).ToArray();
        var package = await _steps.PackageAsync("Forty Items", locked: true, items);
        var version = await _steps.PublishAsync(package, 1);
        var rows = Enumerable.Range(0, 5000).Select(i => new { orgName = $"Mass {i}", orgType = "Production", orgStatus = "Active" }).ToList();
        var imported = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        var tenants = imported.GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey")).ToList();
        var conflicting = tenants.Where((_, i) => i % 100 < 3).ToList();
        Assert.That(conflicting, Has.Count.EqualTo(150));
        foreach (var tenant in conflicting)
        {
            await _steps.AddComponentAsync(tenant, "Class", "Logic7", new { mine = true });
        }

        var id = await _steps.DeployAndWaitAsync(new { packageVersionId = version, targets = new { orgKeys = tenants }, installMode = "installOrUpgrade" });
        var failures = await _steps.FailuresAsync(id);
        Assert.That(failures.GetProperty("total").GetInt32(), Is.EqualTo(150));
        var group = failures.GetProperty("groups").EnumerateArray().Single();
        Assert.That((group.Text("errorType"), group.Text("errorTitle"), group.GetProperty("count").GetInt32()), Is.EqualTo(("DeployError", "Name Conflict", 150)));
        Assert.That(failures.GetProperty("failures").EnumerateArray().Select(f => f.Text("orgKey")), Is.EquivalentTo(conflicting));

        var csv = await Admin.GetStringAsync($"/api/v1/deployments/{id}/failures?format=csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.That(lines, Has.Count.EqualTo(150));
        Assert.That(lines, Has.All.Contain("\"DeployError\",\"Name Conflict\""));

        await using var connection = new NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*), count(DISTINCT org_key) FROM tenant_components WHERE package_id = (SELECT id FROM packages WHERE name = 'Forty Items')", connection);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.That((reader.GetInt64(0), reader.GetInt64(1)), Is.EqualTo((4850L * 40, 4850L)), "every other tenant has all 40 items, the conflicting ones none");
    }
}
