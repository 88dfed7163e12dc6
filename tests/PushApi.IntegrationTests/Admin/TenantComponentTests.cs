using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// The install engine on one tenant (through install from file): a fresh install, an upgrade that overwrites
/// the tenant's changes, preserves its additions and keeps dropped items as orphaned, exactly as the plan said;
/// locked packages refusing tenant changes; a name conflict refusing the whole install.
/// </summary>
public class TenantComponentTests() : ApiFixture("components")
{
    [Test]
    public async Task An_upgrade_overwrites_tenant_changes_preserves_tenant_additions_and_keeps_dropped_items_as_the_plan_said()
    {
        var package = await PackageAsync("Invoicing", locked: false,
            ("Object", "Invoice", new { label = "Invoice" }),
            ("Field", "Invoice.Amount", new { @object = "Invoice" }),
            ("Class", "Billing", new { source = "v1" }),
            ("Page", "Old", new { }));
        var v1 = await PublishAsync(package, 1);
        var tenant = await TenantAsync("Upgrade Customer");

        var fresh = await PlanAsync(tenant, v1);
        Assert.That(fresh.Text("kind"), Is.EqualTo("install"));
        Assert.That(fresh.GetProperty("counts").GetProperty("create").GetInt32(), Is.EqualTo(4));
        await InstallAsync(tenant, v1, HttpStatusCode.OK);

        var components = await ComponentsAsync(tenant);
        var billing = components.Single(c => c.Text("name") == "Billing");
        var discount = await Admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/components", new { type = "Field", name = "Discount", definition = new { @object = "Invoice" }, parent = "Invoice" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That(discount.Text("apiName"), Is.EqualTo($"Discount_{tenant}"), "the customer id keeps the addition apart from anything an upgrade brings");
        Assert.That(discount.Text("origin"), Is.EqualTo("tenant"));
        var changed = await Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant}/components/{billing.Text("id")}", new { definition = new { source = "tenant's own" } })
            .ExpectAsync(HttpStatusCode.OK);
        Assert.That(changed.GetProperty("modified").GetBoolean(), Is.True);

        await RemoveItemAsync(package, "Old");
        await AddItemAsync(package, "Class", "Tax", new { });
        var v2 = await PublishAsync(package, 2);
        var plan = await PlanAsync(tenant, v2);
        Assert.That(plan.Text("kind"), Is.EqualTo("upgrade"));
        Assert.That(Names(plan, "create"), Is.EqualTo(new[] { "Class Tax" }));
        Assert.That(Names(plan, "overwrite"), Is.EqualTo(new[] { "Class Billing" }));
        Assert.That(Names(plan, "preserve"), Is.EqualTo(new[] { $"Field Discount_{tenant}" }));
        Assert.That(Names(plan, "orphan"), Is.EqualTo(new[] { "Page Old" }));
        Assert.That(plan.GetProperty("counts").GetProperty("unchanged").GetInt32(), Is.EqualTo(2));

        var applied = await InstallAsync(tenant, v2, HttpStatusCode.OK);
        Assert.That(applied.GetProperty("plan").GetRawText(), Is.EqualTo(plan.GetRawText()), "the plan shown is the plan applied");
        var after = await ComponentsAsync(tenant);
        var billingAfter = after.Single(c => c.Text("name") == "Billing");
        Assert.That(billingAfter.GetProperty("definition").GetProperty("source").GetString(), Is.EqualTo("v1"), "the tenant's change is overwritten");
        Assert.That(billingAfter.GetProperty("modified").GetBoolean(), Is.False);
        Assert.That(billingAfter.Text("packageVersionId"), Is.EqualTo(v2));
        Assert.That(after.Single(c => c.Text("apiName") == $"Discount_{tenant}").Text("origin"), Is.EqualTo("tenant"), "the tenant's addition is preserved");
        Assert.That(after.Single(c => c.Text("name") == "Old").GetProperty("orphaned").GetBoolean(), Is.True);
        Assert.That(after.Select(c => c.Text("name")), Does.Contain("Tax"));
        var installations = await Admin.GetAsync($"/api/v1/tenants/{tenant}/installations").ExpectAsync(HttpStatusCode.OK);
        Assert.That(installations.EnumerateArray().Single().Text("packageVersionId"), Is.EqualTo(v2));
    }

    [Test]
    public async Task A_locked_packages_components_cannot_change_and_its_objects_take_no_tenant_fields()
    {
        var package = await PackageAsync("Locked Billing", locked: true, ("Object", "Ledger", new { }), ("Class", "Posting", new { }));
        var version = await PublishAsync(package, 1);
        var tenant = await TenantAsync("Locked Customer");
        await InstallAsync(tenant, version, HttpStatusCode.OK);
        var posting = (await ComponentsAsync(tenant)).Single(c => c.Text("name") == "Posting");

        var change = await Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant}/components/{posting.Text("id")}", new { definition = new { source = "mine" } })
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(change.Text("errorCode"), Is.EqualTo("LOCKED"));
        var field = await Admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/components", new { type = "Field", name = "Note", definition = new { @object = "Ledger" }, parent = "Ledger" })
            .ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(field.Text("errorCode"), Is.EqualTo("LOCKED"));

        var own = await Admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/components", new { type = "Object", name = "Journal", definition = new { } }).ExpectAsync(HttpStatusCode.Created);
        Assert.That(own.Text("apiName"), Is.EqualTo("Journal"));
        await Admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/components", new { type = "Field", name = "Memo", definition = new { @object = "Journal" }, parent = "Journal" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That((await ComponentsAsync(tenant)).Count, Is.EqualTo(4));
    }

    [Test]
    public async Task A_name_conflict_with_the_tenants_own_component_refuses_the_whole_install()
    {
        var package = await PackageAsync("Conflicting", locked: true, ("Object", "Shipment", new { }), ("Class", "Router", new { }));
        var version = await PublishAsync(package, 1);
        var tenant = await TenantAsync("Conflict Customer");
        await Admin.PostAsJsonAsync($"/api/v1/tenants/{tenant}/components", new { type = "Class", name = "router", definition = new { } }).ExpectAsync(HttpStatusCode.Created);

        var plan = await PlanAsync(tenant, version);
        Assert.That(Names(plan, "conflicts"), Is.EqualTo(new[] { "Class Router" }));
        var refused = await InstallAsync(tenant, version, HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.Text("detail"), Does.StartWith("Name Conflict"));
        Assert.That(refused.GetProperty("problems")[0].Text("rule"), Is.EqualTo("name-conflict"));
        Assert.That((await ComponentsAsync(tenant)).Select(c => c.Text("origin")), Is.EqualTo(new[] { "tenant" }), "nothing of the package was installed");
        var installations = await Admin.GetAsync($"/api/v1/tenants/{tenant}/installations").ExpectAsync(HttpStatusCode.OK);
        Assert.That(installations.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task A_package_needing_a_package_the_tenant_lacks_is_a_dependent_package_conflict()
    {
        var core = await PackageAsync("Deals Core", locked: true, ("Object", "Deal", new { }));
        var coreVersion = await PublishAsync(core, 1);
        var addon = await PackageAsync("Deal Scores", locked: true, ("Field", "Deal.Score", new { @object = "Deal" }));
        await Admin.PutAsJsonAsync($"/api/v1/packages/{addon}/dependencies", new[] { new { packageId = core, minimumVersion = "1.0" } }).ExpectAsync(HttpStatusCode.OK);
        var addonVersion = await PublishAsync(addon, 1);
        var tenant = await TenantAsync("Dependency Customer");

        var plan = await PlanAsync(tenant, addonVersion);
        Assert.That(plan.GetProperty("errors")[0].Text("errorType"), Is.EqualTo("IneligibleUpgrade"));
        Assert.That(plan.GetProperty("errors")[0].Text("title"), Is.EqualTo("Dependent Package Conflict"));
        var refused = await InstallAsync(tenant, addonVersion, HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.GetProperty("problems")[0].Text("rule"), Is.EqualTo("dependent-package"));
        Assert.That(await ComponentsAsync(tenant), Is.Empty);

        await InstallAsync(tenant, coreVersion, HttpStatusCode.OK);
        await InstallAsync(tenant, addonVersion, HttpStatusCode.OK);
        Assert.That((await ComponentsAsync(tenant)).Select(c => c.Text("name")), Is.EquivalentTo(new[] { "Deal", "Deal.Score" }));
    }

    [Test]
    public async Task An_install_beyond_the_tenants_rollup_summary_field_limit_is_refused()
    {
        var package = await PackageAsync("Rollups", locked: true,
            ("Object", "Order", new { rollupSummaryFields = new[] { "Total", "Count" } }),
            ("Object", "Line", new { masterDetail = new { master = "Order" } }),
            ("RollupSummaryField", "Total", new { @object = "Order", detail = "Line" }),
            ("RollupSummaryField", "Count", new { @object = "Order", detail = "Line" }));
        var version = await PublishAsync(package, 1);
        var tenant = await TenantAsync("Rollup Customer");
        var limited = await Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant}", new { capabilities = new { maxRollupSummaryFields = 1 } }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(limited.GetProperty("capabilities").GetProperty("maxRollupSummaryFields").GetInt32(), Is.EqualTo(1));
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant}", new { capabilities = new { maxRollupSummaryFields = -1 } }).ExpectAsync(HttpStatusCode.BadRequest);
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant}", new { capabilities = new { maxWidgets = 3 } }).ExpectAsync(HttpStatusCode.BadRequest);

        var plan = await PlanAsync(tenant, version);
        Assert.That(plan.GetProperty("errors").GetArrayLength(), Is.EqualTo(1), plan.GetRawText());
        Assert.That(plan.GetProperty("errors")[0].Text("errorType"), Is.EqualTo("LimitExceeded"));
        var refused = await InstallAsync(tenant, version, HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.GetProperty("problems")[0].Text("rule"), Is.EqualTo("rollup-limit"));
        Assert.That(refused.GetProperty("problems")[0].Text("message"), Does.Contain("delete 1"));
        Assert.That(await ComponentsAsync(tenant), Is.Empty);

        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{tenant}", new { capabilities = new { maxRollupSummaryFields = (int?)null } }).ExpectAsync(HttpStatusCode.OK);
        await InstallAsync(tenant, version, HttpStatusCode.OK);
    }

    [Test]
    public async Task Components_page_by_id_and_filter_by_package_and_type()
    {
        var package = await PackageAsync("Paged", locked: false, ("Class", "A1", new { }), ("Class", "A2", new { }), ("Page", "P1", new { }));
        var version = await PublishAsync(package, 1);
        var tenant = await TenantAsync("Paged Customer");
        await InstallAsync(tenant, version, HttpStatusCode.OK);
        var classes = await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?type=class&packageId={package}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(classes.GetProperty("records").EnumerateArray().Select(c => c.Text("name")), Is.EqualTo(new[] { "A1", "A2" }));
        Assert.That(classes.GetProperty("nextAfter").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var first = await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?limit=2").ExpectAsync(HttpStatusCode.OK);
        Assert.That(first.GetProperty("records").GetArrayLength(), Is.EqualTo(2));
        var next = first.Text("nextAfter");
        var second = await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?limit=2&after={next}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(second.GetProperty("records").EnumerateArray().Select(c => c.Text("name")), Is.EqualTo(new[] { "P1" }));
        await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?limit=0").ExpectAsync(HttpStatusCode.BadRequest);
        await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?type=%00").ExpectAsync(HttpStatusCode.BadRequest);
        await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?packageId=nope").ExpectAsync(HttpStatusCode.BadRequest);
        await Admin.GetAsync($"/api/v1/tenants/{tenant}/components?after=x").ExpectAsync(HttpStatusCode.BadRequest);
        await Admin.GetAsync("/api/v1/tenants/00D00000000none/components").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync($"/api/v1/tenants/{tenant}/install-plan").ExpectAsync(HttpStatusCode.BadRequest);
    }

    private async Task<string> PackageAsync(string name, bool locked, params (string Type, string Name, object Definition)[] items)
    {
        var body = new { name, locked, items = items.Select(i => new { type = i.Type, name = i.Name, definition = i.Definition }).ToArray() };
        return (await Admin.PostAsJsonAsync("/api/v1/packages", body).ExpectAsync(HttpStatusCode.Created)).Text("id");
    }

    private async Task<string> PublishAsync(string package, int major) =>
        (await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = $"v{major}", majorVersion = major, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");

    private async Task<string> TenantAsync(string name) =>
        (await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = name, orgType = "Production", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created)).Text("orgKey");

    private async Task<JsonElement> PlanAsync(string tenant, string version) =>
        await Admin.GetAsync($"/api/v1/tenants/{tenant}/install-plan?packageVersionId={version}").ExpectAsync(HttpStatusCode.OK);

    private async Task<JsonElement> InstallAsync(string tenant, string version, HttpStatusCode expected)
    {
        var zip = await Admin.GetByteArrayAsync($"/api/v1/versions/{version}/package.zip");
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return await Admin.PostAsync($"/api/v1/tenants/{tenant}/installations/from-file", content).ExpectAsync(expected);
    }

    private async Task<List<JsonElement>> ComponentsAsync(string tenant) =>
        (await Admin.GetAsync($"/api/v1/tenants/{tenant}/components").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray().ToList();

    private async Task RemoveItemAsync(string package, string name)
    {
        var items = await Admin.GetAsync($"/api/v1/packages/{package}/items").ExpectAsync(HttpStatusCode.OK);
        var id = items.EnumerateArray().Single(i => i.Text("name") == name).Text("id");
        await Admin.DeleteAsync($"/api/v1/packages/{package}/items/{id}").ExpectAsync(HttpStatusCode.NoContent);
    }

    private async Task AddItemAsync(string package, string type, string name, object definition) =>
        await Admin.PostAsJsonAsync($"/api/v1/packages/{package}/items", new { type, name, definition }).ExpectAsync(HttpStatusCode.Created);

    private static string[] Names(JsonElement plan, string list) =>
        plan.GetProperty(list).EnumerateArray().Select(e => $"{e.Text("type")} {e.Text("name")}").ToArray();
}
