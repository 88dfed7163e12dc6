using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

public class PackageApiTests() : ApiFixture("packages")
{
    [Test]
    public async Task A_package_is_created_listed_and_read_back_by_its_033_id()
    {
        using var response = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Acme CRM", namespacePrefix = "acmecrm" });
        var created = await response.ExpectAsync(HttpStatusCode.Created);
        var id = created.Text("id");
        Assert.That(id, Does.Match("^033[A-Za-z0-9]{15}$"));
        Assert.That(created.Text("packageCategory"), Is.EqualTo("Package"));
        Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/packages/{id}"));

        var read = await Admin.GetAsync($"/api/v1/packages/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(read.Text("name"), Is.EqualTo("Acme CRM"));
        Assert.That(read.Text("systemModstamp"), Is.EqualTo(created.Text("systemModstamp")), "what a write returns equals what a read shows");
        await Admin.GetAsync($"/api/v1/packages/{id[..15]}").ExpectAsync(HttpStatusCode.OK);

        var list = await Admin.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        Assert.That(list.EnumerateArray().Select(p => p.Text("id")), Does.Contain(id));
    }

    [Test]
    public async Task A_namespace_is_unique_ignoring_case()
    {
        await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "First", namespacePrefix = "dupns" }).ExpectAsync(HttpStatusCode.Created);
        var conflict = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Second", namespacePrefix = "DupNS" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain("DupNS"));

        // Packages without a namespace (unmanaged) do not collide.
        await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Unmanaged 1" }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Unmanaged 2" }).ExpectAsync(HttpStatusCode.Created);
    }

    [Test]
    public async Task Bad_package_input_gets_field_errors()
    {
        var problem = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "", namespacePrefix = "9lives", packageCategory = "Bundle" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "namespacePrefix", "packageCategory" }));

        using var content = new StringContent("{\"name\": ", System.Text.Encoding.UTF8, "application/json");
        var malformed = await Admin.PostAsync("/api/v1/packages", content).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(malformed.Text("detail"), Does.Contain("not valid JSON"));

        using var wrongType = new StringContent("{\"name\": 42}", System.Text.Encoding.UTF8, "application/json");
        await Admin.PostAsync("/api/v1/packages", wrongType).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Unknown_or_malformed_ids_are_404()
    {
        await Admin.GetAsync("/api/v1/packages/033zzzzzzzzzzzz").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync("/api/v1/packages/not-an-id").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync("/api/v1/packages/04t000000000001AAA").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync("/api/v1/versions/04t00000000zzzz").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.GetAsync("/api/v1/packages/033000000000zzz/versions").ExpectAsync(HttpStatusCode.NotFound);
        await Admin.PatchAsJsonAsync("/api/v1/versions/04t00000000zzzz", new { isDeprecated = true }).ExpectAsync(HttpStatusCode.NotFound);
        await Admin.PostAsJsonAsync("/api/v1/packages/033000000000zzz/versions", new { name = "x", majorVersion = 1, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Versions_are_created_listed_in_number_order_and_deprecated()
    {
        var package = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Versioned" }).ExpectAsync(HttpStatusCode.Created);
        var packageId = package.Text("id");
        var v12 = await Admin.PostAsJsonAsync($"/api/v1/packages/{packageId}/versions", new { name = "Summer", majorVersion = 1, minorVersion = 2, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created);
        Assert.That(v12.Text("id"), Does.Match("^04t[A-Za-z0-9]{15}$"));
        Assert.That(v12.Text("packageId"), Is.EqualTo(packageId));
        Assert.That(v12.Text("versionNumber"), Is.EqualTo("1.2"));
        Assert.That(v12.GetProperty("patchVersion").GetInt32(), Is.EqualTo(0));
        Assert.That(v12.GetProperty("buildNumber").GetInt32(), Is.EqualTo(1));
        await Admin.PostAsJsonAsync($"/api/v1/packages/{packageId}/versions", new { name = "Spring", majorVersion = 1, minorVersion = 1, patchVersion = 3, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created);

        var list = await Admin.GetAsync($"/api/v1/packages/{packageId}/versions").ExpectAsync(HttpStatusCode.OK);
        Assert.That(list.EnumerateArray().Select(v => v.Text("versionNumber")), Is.EqualTo(new[] { "1.1.3", "1.2" }));

        var deprecated = await Admin.PatchAsJsonAsync($"/api/v1/versions/{v12.Text("id")}", new { isDeprecated = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(deprecated.GetProperty("isDeprecated").GetBoolean(), Is.True);
        var read = await Admin.GetAsync($"/api/v1/versions/{v12.Text("id")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(read.GetProperty("isDeprecated").GetBoolean(), Is.True);
        await Admin.PatchAsJsonAsync($"/api/v1/versions/{v12.Text("id")}", new { }).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_version_number_is_released_once_but_betas_may_have_several_builds()
    {
        var package = await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Builds" }).ExpectAsync(HttpStatusCode.Created);
        var url = $"/api/v1/packages/{package.Text("id")}/versions";
        await Admin.PostAsJsonAsync(url, new { name = "2.0 beta 1", majorVersion = 2, minorVersion = 0, buildNumber = 1, releaseState = "Beta" }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync(url, new { name = "2.0 beta 2", majorVersion = 2, minorVersion = 0, buildNumber = 2, releaseState = "Beta" }).ExpectAsync(HttpStatusCode.Created);
        await Admin.PostAsJsonAsync(url, new { name = "2.0", majorVersion = 2, minorVersion = 0, buildNumber = 3, releaseState = "Released" }).ExpectAsync(HttpStatusCode.Created);

        var again = await Admin.PostAsJsonAsync(url, new { name = "2.0 again", majorVersion = 2, minorVersion = 0, buildNumber = 4, releaseState = "Released" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(again.Text("detail"), Does.Contain("already released"));
        await Admin.PostAsJsonAsync(url, new { name = "dup build", majorVersion = 2, minorVersion = 0, buildNumber = 2, releaseState = "Beta" }).ExpectAsync(HttpStatusCode.Conflict);
    }
}
