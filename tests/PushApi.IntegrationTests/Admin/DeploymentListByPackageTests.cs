using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// <c>GET /api/v1/deployments?packageId=033…</c> lists the deployments of one package's versions (the
/// console's Push Upgrades tab), newest first and paged like the whole list; a bad id is a 400 naming it.
/// </summary>
[NonParallelizable]
public class DeploymentListByPackageTests() : ApiFixture("deploy-by-package", runPushes: false)
{
    [Test]
    public async Task The_list_filtered_by_package_holds_only_the_deployments_of_its_versions()
    {
        var first = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var second = await PushScenario.CreateAsync(Admin, Server.ConnectionString);
        var firstOrgs = await first.TenantsAsync(2);
        var secondOrgs = await second.TenantsAsync(1);
        var older = await DeployAsync(first.NewVersion, firstOrgs[..1]);
        var other = await DeployAsync(second.NewVersion, secondOrgs);
        var newer = await DeployAsync(first.NewVersion, firstOrgs[1..]);

        var page = await Admin.GetAsync($"/api/v1/deployments?packageId={first.PackageId}&limit=1").ExpectAsync(HttpStatusCode.OK);
        Assert.That(page.GetProperty("items").EnumerateArray().Select(d => d.Text("id")), Is.EqualTo(new[] { newer }));
        var next = await Admin.GetAsync($"/api/v1/deployments?packageId={first.PackageId}&before={page.Text("next")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(next.GetProperty("items").EnumerateArray().Select(d => d.Text("id")), Is.EqualTo(new[] { older }), "the next page skips the other package's deployment");

        var all = await Admin.GetAsync("/api/v1/deployments").ExpectAsync(HttpStatusCode.OK);
        Assert.That(all.GetProperty("items").EnumerateArray().Select(d => d.Text("id")), Is.EqualTo(new[] { newer, other, older }), "without the filter, every deployment");
        var ofSecond = await Admin.GetAsync($"/api/v1/deployments?packageId={second.PackageId}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(ofSecond.GetProperty("items").EnumerateArray().Select(d => d.Text("packageVersionId")), Is.EqualTo(new[] { second.NewVersion }));

        var bad = await Admin.GetAsync($"/api/v1/deployments?packageId={first.NewVersion}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").TryGetProperty("packageId", out _), Is.True, bad.ToString());
    }

    private async Task<string> DeployAsync(string version, List<string> orgs) =>
        (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = version, targets = new { orgKeys = orgs } }).ExpectAsync(HttpStatusCode.Created)).Text("id");
}
