using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

public class InstallationApiTests() : ApiFixture("installs")
{
    private async Task<(string PackageId, string[] Versions)> PackageWithVersionsAsync(params int[] minors)
    {
        var package = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Installable" }).ExpectAsync(HttpStatusCode.Created);
        var versions = new List<string>();
        foreach (var minor in minors)
        {
            var version = await Admin.PostAsJsonAsync($"/api/v1/packages/{package.Text("id")}/versions", new { name = $"1.{minor}", majorVersion = 1, minorVersion = minor, releaseState = "Released" })
                .ExpectAsync(HttpStatusCode.Created);
            versions.Add(version.Text("id"));
        }

        return (package.Text("id"), versions.ToArray());
    }

    private async Task<string> TenantAsync()
    {
        var tenant = await Admin.PostAsJsonAsync("/api/v1/tenants", new { orgName = "Subscriber", orgType = "Production", orgStatus = "Active" }).ExpectAsync(HttpStatusCode.Created);
        return tenant.Text("orgKey");
    }

    [Test]
    public async Task Install_upgrade_and_uninstall_keep_one_subscriber_row_per_org_and_package()
    {
        var (packageId, versions) = await PackageWithVersionsAsync(0, 1);
        var orgKey = await TenantAsync();

        var installed = await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey, packageVersionId = versions[0] }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(installed.Text("id"), Does.Match("^0Hf[A-Za-z0-9]{15}$"));
        Assert.That((installed.Text("packageId"), installed.Text("packageVersionId"), installed.Text("installedStatus")), Is.EqualTo((packageId, versions[0], "i")));

        var upgraded = await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey, packageVersionId = versions[1] }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(upgraded.Text("id"), Is.EqualTo(installed.Text("id")));
        Assert.That(upgraded.Text("packageVersionId"), Is.EqualTo(versions[1]));

        var uninstalled = await Admin.DeleteAsync($"/api/v1/installations/{orgKey}/{packageId}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(uninstalled.Text("installedStatus"), Is.EqualTo("u"));

        var reinstalled = await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey, packageVersionId = versions[1] }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(reinstalled.Text("installedStatus"), Is.EqualTo("i"));

        var list = await Admin.GetAsync($"/api/v1/tenants/{orgKey}/installations").ExpectAsync(HttpStatusCode.OK);
        Assert.That(list.GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task Installs_of_unknown_orgs_or_versions_are_404_and_malformed_ids_400()
    {
        var (packageId, versions) = await PackageWithVersionsAsync(0);
        var orgKey = await TenantAsync();
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = "00D000000000zzz", packageVersionId = versions[0] }).ExpectAsync(HttpStatusCode.NotFound);
        await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey, packageVersionId = "04t0000000zzzzz" }).ExpectAsync(HttpStatusCode.NotFound);
        var problem = await Admin.PostAsJsonAsync("/api/v1/installations", new { orgKey = "acme", packageVersionId = packageId }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "orgKey", "packageVersionId" }));
        await Admin.DeleteAsync($"/api/v1/installations/{orgKey}/{packageId}").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.DeleteAsync($"/api/v1/installations/not-an-org/{packageId}").ExpectAsync(HttpStatusCode.NotFound);
    }
}
