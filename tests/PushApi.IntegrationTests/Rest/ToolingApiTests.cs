using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Rest;

/// <summary>
/// The Tooling API's package objects (what <c>sf package1 version list/display</c> read; the CLI itself runs in
/// <see cref="Clients.SfCliTests"/>): the CLI's own statements, the Tooling result shape and URLs, and refusals.
/// </summary>
public class ToolingApiTests() : ApiFixture("tooling", runPushes: false)
{
    private const string Tooling = "/services/data/v62.0/tooling";
    private string _package = null!;
    private List<string> _versions = null!;

    protected override async Task OnStartedAsync()
    {
        _package = (await Admin.PostAsJsonAsync("/api/v1/packages", new { name = "Tooled", namespacePrefix = "tool" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        _versions = [];
        foreach (var minor in new[] { 0, 1 })
        {
            _versions.Add((await Admin.PostAsJsonAsync($"/api/v1/packages/{_package}/versions", new { name = $"1.{minor}", majorVersion = 1, minorVersion = minor, releaseState = "Released" })
                .ExpectAsync(HttpStatusCode.Created)).Text("id"));
        }
    }

    [Test]
    public async Task The_package1_version_list_query_answers_in_the_tooling_shape()
    {
        // The CLI's statement, double space and all when no package is given.
        var q = $"SELECT Id,MetadataPackageId,Name,ReleaseState,MajorVersion,MinorVersion,PatchVersion,BuildNumber FROM MetadataPackageVersion WHERE MetadataPackageId = '{_package}' ORDER BY MetadataPackageId, MajorVersion, MinorVersion, PatchVersion, BuildNumber";
        var result = await Admin.GetAsync($"{Tooling}/query/?q={Uri.EscapeDataString(q)}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(result.GetProperty("size").GetInt32(), Is.EqualTo(2));
        Assert.That(result.GetProperty("totalSize").GetInt32(), Is.EqualTo(2));
        Assert.That(result.Text("entityTypeName"), Is.EqualTo("MetadataPackageVersion"));
        Assert.That(result.GetProperty("queryLocator").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        var records = result.GetProperty("records").EnumerateArray().ToList();
        Assert.That(records.Select(r => r.Text("Id")), Is.EqualTo(_versions));
        Assert.That(records[0].GetProperty("attributes").Text("url"), Is.EqualTo($"{Tooling}/sobjects/MetadataPackageVersion/{_versions[0]}"));

        var all = await Admin.GetAsync($"{Tooling}/query?q={Uri.EscapeDataString("SELECT Id,MetadataPackageId,Name FROM MetadataPackageVersion  ORDER BY MetadataPackageId, MajorVersion")}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(all.GetProperty("records").EnumerateArray().Select(r => r.Text("Id")), Is.SupersetOf(_versions));

        var one = await Admin.GetAsync($"{Tooling}/sobjects/MetadataPackageVersion/{_versions[1]}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((one.Text("Name"), one.GetProperty("MinorVersion").GetInt32()), Is.EqualTo(("1.1", 1)));
        var describe = await Admin.GetAsync($"{Tooling}/sobjects/MetadataPackage/describe").ExpectAsync(HttpStatusCode.OK);
        Assert.That(describe.Text("name"), Is.EqualTo("MetadataPackage"));
    }

    [Test]
    public async Task Push_objects_are_not_tooling_objects_and_nothing_is_written_through_it()
    {
        var push = await Admin.GetAsync($"{Tooling}/query?q={Uri.EscapeDataString("SELECT Id FROM PackagePushJob")}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(push[0].Text("errorCode"), Is.EqualTo("INVALID_TYPE"));
        Assert.That(push[0].Text("message"), Does.StartWith("sObject type 'PackagePushJob' is not supported."));
        var empty = await Admin.GetAsync($"{Tooling}/query?q=").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(empty[0].Text("errorCode"), Is.EqualTo("MALFORMED_QUERY"));
        var malformed = await Admin.GetAsync($"{Tooling}/query?q={Uri.EscapeDataString("SELECT FROM")}").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(malformed[0].Text("errorCode"), Is.EqualTo("MALFORMED_QUERY"));

        var upload = await Admin.PostAsJsonAsync($"{Tooling}/sobjects/PackageUploadRequest", new { MetadataPackageId = _package, VersionName = "2.0" }).ExpectAsync(HttpStatusCode.NotFound);
        Assert.That(upload[0].Text("message"), Does.Contain("POST /api/v1/packages/{id}/versions"));
        var write = await Admin.PostAsJsonAsync($"{Tooling}/sobjects/MetadataPackage", new { Name = "x" }).ExpectAsync(HttpStatusCode.MethodNotAllowed);
        Assert.That(write[0].Text("errorCode"), Is.EqualTo("METHOD_NOT_ALLOWED"));
        await Admin.GetAsync($"{Tooling}/sobjects/MetadataPackageVersion/04t000000000000AAA").ExpectAsync(HttpStatusCode.NotFound);
        var resources = await Admin.GetAsync("/services/data/v62.0/").ExpectAsync(HttpStatusCode.OK);
        Assert.That(resources.Text("tooling"), Is.EqualTo(Tooling));
    }
}
