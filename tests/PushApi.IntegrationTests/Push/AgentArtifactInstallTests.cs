using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Push;

/// <summary>
/// Remote tenants receive the package: the reference agent downloads the version's ZIP from the link in
/// the agent request, checks it against the announced SHA-256 and size, and hands it to the tenant's
/// install command with the install's kind and roles; a tampered announcement is refused.
/// </summary>
public class AgentArtifactInstallTests : AgentArtifactFixture
{
    [Test]
    public async Task The_reference_agent_installs_the_package_zip_it_downloaded_and_checked()
    {
        var push = await ScenarioAsync("artup");
        var orgs = await push.TenantsAsync(2, Agent);
        var request = await PushAsync(push, orgs, "Succeeded", "Failed");

        Assert.That((await push.JobStatusesAsync(request)).Values, Has.All.EqualTo("Succeeded"));
        var zip = await DownloadAsync(push.NewVersion);
        foreach (var org in orgs)
        {
            var sent = Proxy.RequestsFor(org).Single();
            Assert.That((Text(sent, "packageId"), Text(sent, "packageVersionId"), Text(sent, "versionNumber"), Text(sent, "namespacePrefix"), Text(sent, "pushRequestId")),
                Is.EqualTo((push.PackageId, push.NewVersion, "2.0", "artup", request)), "the protocol's first fields are sent as before");
            Assert.That((Text(sent, "kind"), Text(sent, "rolesMode"), sent.ContainsKey("grantRoles")), Is.EqualTo(("upgrade", "merge", false)));
            Assert.That((Text(sent["artifact"]!, "sha256"), sent["artifact"]!["size"]!.GetValue<long>()), Is.EqualTo((Sha256(zip), zip.LongLength)),
                "the announcement describes the version's download");
            Assert.That(ArtifactUrl(sent), Does.StartWith(new Uri(Server.BaseAddress, "/api/v1/agent/artifacts/" + Text(sent, "pushJobId") + "?attempt=1&token=").AbsoluteUri));

            var install = (await InstallsOfAsync(org)).Single();
            Assert.That(install, Is.EqualTo($"{org} {Text(sent, "pushJobId")} upgrade merge []"));
            var received = await File.ReadAllBytesAsync(Path.Combine(Directory, "received", Text(sent, "pushJobId") + ".zip"));
            Assert.That(Sha256(received), Is.EqualTo(Sha256(zip)), "the install command got the version's ZIP");
            Assert.That(await push.InstalledVersionAsync(org), Is.EqualTo(push.NewVersion));
        }

        using var archive = new ZipArchive(new MemoryStream(zip));
        Assert.That(archive.Entries.Select(e => e.FullName), Does.Contain("items/Object/Visit.json"), "a ZIP with the version's contents");
        Assert.That(System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "artifacts")), Is.Empty, "the agent removes a ZIP once it is installed");
    }

    [Test]
    public async Task A_deployment_tells_the_agent_whether_it_installs_or_upgrades_and_what_happens_to_roles()
    {
        var push = await ScenarioAsync("artkind");
        var upgraded = (await push.TenantsAsync(1, Agent)).Single();
        var fresh = await TenantWithoutPackageAsync();

        var deployment = (await Admin.PostAsJsonAsync("/api/v1/deployments", new
        {
            packageVersionId = push.NewVersion,
            targets = new { orgKeys = new[] { upgraded, fresh } },
            installMode = "installOrUpgrade",
            rolesMode = "override",
            grantRoles = new[] { "Field Staff", "Dispatch" },
        }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        Assert.That((await push.WaitForAsync(deployment, Patience, "Succeeded", "Failed")).Text("Status"), Is.EqualTo("Succeeded"));

        var install = Proxy.RequestsFor(fresh).Single();
        Assert.That((Text(install, "kind"), Text(install, "rolesMode")), Is.EqualTo(("install", "override")));
        Assert.That(install["grantRoles"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "Field Staff", "Dispatch" }));
        Assert.That((await InstallsOfAsync(fresh)).Single(), Does.EndWith(" install override [Field Staff,Dispatch]"));
        Assert.That((await InstallsOfAsync(upgraded)).Single(), Does.EndWith(" upgrade override [Field Staff,Dispatch]"));
        Assert.That(await push.InstalledVersionAsync(fresh), Is.EqualTo(push.NewVersion), "the fresh install is recorded");
    }

    [Test]
    public async Task A_tampered_artifact_is_refused_as_a_checksum_mismatch_and_nothing_is_installed()
    {
        var push = await ScenarioAsync("artbad");
        var orgs = await push.TenantsAsync(2, Agent);
        var forged = new string('0', 64);
        Proxy.Intercept(orgs[0], body =>
        {
            body["artifact"]!["sha256"] = forged;
            return Task.FromResult<AgentProxy.Answer?>(null);
        });

        var request = await PushAsync(push, orgs, "Succeeded", "Failed");

        var statuses = await push.JobStatusesAsync(request);
        Assert.That((statuses[orgs[0]], statuses[orgs[1]]), Is.EqualTo(("Failed", "Succeeded")));
        var zip = await DownloadAsync(push.NewVersion);
        var error = (await ErrorsAsync(request)).Single();
        Assert.That((error.GetProperty("PackagePushJob").Text("SubscriberOrganizationKey"), error.Text("ErrorType"), error.Text("ErrorTitle")),
            Is.EqualTo((orgs[0], "DeployError", "Artifact Checksum Mismatch")));
        Assert.That(error.Text("ErrorMessage"), Does.Contain($"expected sha256 {forged} ({zip.Length} bytes), got sha256 {Sha256(zip)} ({zip.Length} bytes)"));
        Assert.That(error.Text("ErrorMessage"), Does.Not.Contain("token="), "the link's token stays out of the error");
        Assert.That(await InstallsOfAsync(orgs[0]), Is.Empty, "the install command never saw the refused ZIP");
        Assert.That(await push.InstalledVersionAsync(orgs[0]), Is.EqualTo(push.OldVersion));
        Assert.That(await push.InstalledVersionAsync(orgs[1]), Is.EqualTo(push.NewVersion));
        await push.AssertCountersMatchAsync(request);
    }

    private static string Text(JsonNode node, string property) => node[property]!.GetValue<string>();
}
