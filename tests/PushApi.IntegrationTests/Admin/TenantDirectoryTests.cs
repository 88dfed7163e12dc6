using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// The console's tenant pages, server side: the tenant list searched by a partial name or an exact org id, keyset-paged,
/// each tenant with its installed packages and live exclusions (one statement a page, quick at 100,000 tenants); and a
/// tenant's push jobs of every deployment, newest first, with their errors and the deployment that holds them.
/// </summary>
public class TenantDirectoryTests() : ApiFixture("tenant-directory")
{
    private PushScenario _push = null!;
    private List<string> _orgs = null!;

    protected override async Task OnStartedAsync()
    {
        _push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "dir");
        var rows = Enumerable.Range(0, 23).Select(i => new { orgName = $"Directory Alpha {i}", orgType = i % 2 == 0 ? "Production" : "Sandbox", orgStatus = "Active", packageVersionId = _push.OldVersion })
            .Append(new { orgName = "Zulu Elsewhere", orgType = "Production", orgStatus = "Active", packageVersionId = _push.OldVersion });
        var imported = await Admin.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK);
        _orgs = [.. imported.GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey"))];
    }

    private async Task<JsonElement> ListAsync(string query) => await Admin.GetAsync($"/api/v1/tenants?{query}").ExpectAsync(HttpStatusCode.OK);

    private static List<string> Keys(JsonElement page) => [.. page.GetProperty("records").EnumerateArray().Select(r => r.Text("orgKey"))];

    [Test]
    public async Task The_list_finds_a_tenant_by_a_partial_name_without_case_or_by_its_exact_org_id()
    {
        Assert.That(Keys(await ListAsync("search=ALPHA%2017")), Is.EqualTo(new[] { _orgs[17] }));
        Assert.That(Keys(await ListAsync("search=alpha%201")), Is.EquivalentTo(new[] { _orgs[1], _orgs[10], _orgs[11], _orgs[12], _orgs[13], _orgs[14], _orgs[15], _orgs[16], _orgs[17], _orgs[18], _orgs[19] }));
        Assert.That(Keys(await ListAsync($"search={_orgs[23]}")), Is.EqualTo(new[] { _orgs[23] }));
        Assert.That(Keys(await ListAsync($"search={Core.Ids.OrgKey.Parse(_orgs[5]).Id18}")), Is.EqualTo(new[] { _orgs[5] }), "the 18-character id");
        Assert.That(Keys(await ListAsync($"search={_orgs[5][..10]}")), Is.Empty, "a part of an org id is not a name");
        Assert.That(Keys(await ListAsync("search=50%25")), Is.Empty, "a % is a character, not a wildcard");
    }

    [Test]
    public async Task Paging_a_search_returns_every_match_once_in_org_key_order()
    {
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await ListAsync($"search=directory&limit=10{(after is null ? "" : "&after=" + after)}");
            seen.AddRange(Keys(page));
            after = page.GetProperty("nextAfter").GetString();
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.That(pages, Is.EqualTo(3));
        Assert.That(seen, Is.Ordered.Using<string>(StringComparer.Ordinal).And.Unique.And.EquivalentTo(_orgs[..23]));
    }

    [Test]
    public async Task Each_tenant_shows_its_installed_packages_and_its_live_exclusions()
    {
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = _orgs[3], reason = "Contract review" }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PatchAsJsonAsync($"/api/v1/tenants/{_orgs[3]}", new { hasRestrictionEnabled = true }).ExpectAsync(HttpStatusCode.OK);

        var tenant = (await ListAsync($"search={_orgs[3]}")).GetProperty("records")[0];
        Assert.That((tenant.Text("orgName"), tenant.Text("orgType")), Is.EqualTo(("Directory Alpha 3", "Sandbox")));
        Assert.That(tenant.GetProperty("hasRestrictionEnabled").GetBoolean(), Is.True);
        var package = tenant.GetProperty("installedPackages").EnumerateArray().Single();
        Assert.That((package.Text("packageId"), package.Text("packageName"), package.Text("packageVersionId"), package.Text("versionNumber"), package.Text("installedStatus")),
            Is.EqualTo((_push.PackageId, "Pushed App", _push.OldVersion, "1.0", "Installed")));
        Assert.That(package.GetProperty("installedAt").GetDateTimeOffset(), Is.LessThan(package.GetProperty("changedAt").GetDateTimeOffset()), "the opt-out changed the install after it was made");
        var exclusion = tenant.GetProperty("exclusions").EnumerateArray().Single();
        Assert.That((exclusion.GetProperty("packageId").ValueKind, exclusion.Text("reason")), Is.EqualTo((JsonValueKind.Null, "Contract review")), "an exclusion of every package");

        var other = (await ListAsync($"search={_orgs[4]}")).GetProperty("records")[0];
        Assert.That(other.GetProperty("exclusions").GetArrayLength(), Is.Zero);
        Assert.That(other.GetProperty("hasRestrictionEnabled").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_tenants_jobs_come_newest_first_with_their_deployment_version_and_errors()
    {
        var (ok, failing) = (_orgs[20], _orgs[21]);
        var first = await DeployAsync(_push.NewVersion, [ok, failing], TimeSpan.FromSeconds(2));
        await Admin.PostAsJsonAsync("/api/v1/exclusions", new { orgKey = failing, packageId = _push.PackageId, reason = "Fails on purpose" }).ExpectAsync(HttpStatusCode.Created);
        await _push.WaitForAsync(first, TimeSpan.FromSeconds(60), "Succeeded", "Failed");
        var v3 = await PushScenario.CreateVersionAsync(Admin, _push.PackageId, 3);
        var second = await DeployAsync(v3, [ok], TimeSpan.Zero);
        await _push.WaitForAsync(second, TimeSpan.FromSeconds(60), "Succeeded", "Failed");

        var page1 = await Admin.GetAsync($"/api/v1/tenants/{ok}/jobs?limit=1").ExpectAsync(HttpStatusCode.OK);
        var newest = page1.GetProperty("records").EnumerateArray().Single();
        Assert.That((newest.Text("deploymentId"), newest.Text("packageVersionId"), newest.Text("versionNumber"), newest.Text("status")), Is.EqualTo((second, v3, "3.0", "Succeeded")));
        Assert.That(newest.Text("id"), Does.StartWith("0DX"));
        Assert.That(newest.Text("packageName"), Is.EqualTo("Pushed App"));
        var page2 = await Admin.GetAsync($"/api/v1/tenants/{ok}/jobs?limit=1&after={page1.Text("nextAfter")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(page2.GetProperty("records").EnumerateArray().Select(j => (j.Text("deploymentId"), j.Text("versionNumber"))), Is.EqualTo(new[] { (first, "2.0") }));
        Assert.That(page2.GetProperty("nextAfter").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var failed = (await Admin.GetAsync($"/api/v1/tenants/{failing}/jobs").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").EnumerateArray().Single();
        Assert.That(failed.Text("status"), Is.EqualTo("Failed"));
        Assert.That(failed.GetProperty("errors").EnumerateArray().Select(e => e.Text("errorMessage")), Has.Some.Not.Empty);

        Assert.That((await Admin.GetAsync($"/api/v1/tenants/{_orgs[22]}/jobs").ExpectAsync(HttpStatusCode.OK)).GetProperty("records").GetArrayLength(), Is.Zero);
        await Admin.GetAsync("/api/v1/tenants/00D000000000zzz/jobs").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync($"/api/v1/tenants/{ok}/jobs?after=0DVnothing").ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_page_and_a_search_stay_quick_at_one_hundred_thousand_tenants()
    {
        Core.Ids.SalesforceId.TryParseNumber(_push.PackageId, Core.Ids.KeyPrefixes.MetadataPackage, out var package);
        Core.Ids.SalesforceId.TryParseNumber(_push.OldVersion, Core.Ids.KeyPrefixes.MetadataPackageVersion, out var version);
        await using (var connection = new NpgsqlConnection(Server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var seed = new NpgsqlCommand(
                $"""
                INSERT INTO tenants (org_key, org_name, org_type, org_status, created_at, system_modstamp)
                SELECT '00DM' || lpad(g::text, 11, '0'), 'Mass tenant ' || g, 'Production', 'Active', now(), now() FROM generate_series(1, 100000) g;
                INSERT INTO installations (org_key, package_id, package_version_id, installed_status, created_at, system_modstamp)
                SELECT '00DM' || lpad(g::text, 11, '0'), {package}, {version}, 'i', now(), now() FROM generate_series(1, 100000) g;
                ANALYZE tenants; ANALYZE installations;
                """, connection);
            seed.CommandTimeout = 300;
            await seed.ExecuteNonQueryAsync();
        }

        await ListAsync("limit=50"); // warm
        foreach (var query in new[] { "limit=50&after=00DM00000050000", "limit=50&search=tenant%2099999", "limit=50&search=00DM00000077777" })
        {
            var stopwatch = Stopwatch.StartNew();
            var page = await ListAsync(query);
            stopwatch.Stop();
            TestContext.Out.WriteLine($"{query}: {page.GetProperty("records").GetArrayLength()} tenants in {stopwatch.ElapsedMilliseconds} ms");
            Assert.That(page.GetProperty("records").GetArrayLength(), Is.GreaterThan(0));
            Assert.That(page.GetProperty("records")[0].GetProperty("installedPackages").GetArrayLength(), Is.EqualTo(1));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "a page of the list at 100,000 tenants");
        }
    }

    private async Task<string> DeployAsync(string version, string[] orgKeys, TimeSpan delay) =>
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = version, targets = new { orgKeys }, scheduledStartTime = delay > TimeSpan.Zero ? TimeProvider.System.GetUtcNow().Add(delay) : (DateTimeOffset?)null })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
}
