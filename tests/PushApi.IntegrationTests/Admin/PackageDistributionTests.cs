using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// A version moves between installations as a ZIP: downloaded from this fixture's server, imported into a
/// second server process with its own database (ids, manifest and checksums equal), again (idempotent),
/// with other content (409), and as hostile files (400 fast, nothing written); then installed from file.
/// </summary>
[NonParallelizable]
public class PackageDistributionTests() : ApiFixture("package-source")
{
    private const string TargetAdmin = "admin@package-target.test";
    private const string TargetPassword = "Target-Password-1";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("NUnit", "NUnit1032", Justification = "Started in OnStartedAsync (one-time set-up) and stopped in StopTarget (one-time tear-down).")]
    private ServerProcess _target = null!;
    private HttpClient _targetClient = null!;
    private string _package = "";
    private string _version = "";
    private byte[] _zip = [];

    protected override async Task OnStartedAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("package-target");
        _target = ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = connectionString,
            ["PushApi__DataDirectory"] = Path.Combine(Path.GetTempPath(), "pushapi-target-" + Guid.NewGuid().ToString("N")[..8]),
            ["PushApi__Bootstrap__Username"] = TargetAdmin,
            ["PushApi__Bootstrap__Password"] = TargetPassword,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        _targetClient = await _target.LoginAsync(TargetAdmin, TargetPassword);
        await _targetClient.PatchAsJsonAsync("/api/v1/settings", new { installFromFileEnabled = true }).ExpectAsync(HttpStatusCode.OK);

        var package = await Admin.PostAsJsonAsync("/api/v1/packages", new
        {
            name = "Distributed",
            namespacePrefix = "distr",
            locked = false,
            items = new object[]
            {
                new { type = "Application", name = "Field Service", definition = new { objects = new[] { "Visit" }, tabs = new[] { "Visits" } } },
                new { type = "Object", name = "Visit", definition = new { label = "Visit", extra = new { kept = "as given" } } },
                new { type = "WebTab", name = "Visits", definition = new { pages = Array.Empty<string>() } },
                new { type = "Field", name = "Visit.Duration", definition = new { @object = "Visit", dataType = "Number" } },
            },
        }).ExpectAsync(HttpStatusCode.Created);
        _package = package.Text("id");
        _version = (await Admin.PostAsJsonAsync($"/api/v1/packages/{_package}/versions", new { name = "Distributed 1.0", majorVersion = 1, minorVersion = 0, releaseState = "Released" })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        using var download = await Admin.GetAsync($"/api/v1/versions/{_version}/package.zip");
        Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _zip = await download.Content.ReadAsByteArrayAsync();
    }

    [OneTimeTearDown]
    public void StopTarget()
    {
        _targetClient?.Dispose();
        _target?.Dispose();
    }

    [Test, Order(1)]
    public async Task A_version_downloads_as_a_zip_whose_manifest_lists_every_file_with_its_checksum()
    {
        using var download = await Admin.GetAsync($"/api/v1/versions/{_version}/package.zip");
        Assert.That(download.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/zip"));
        Assert.That(download.Content.Headers.ContentDisposition!.FileNameStar ?? download.Content.Headers.ContentDisposition.FileName, Is.EqualTo("distr-1.0.0-1.zip"));
        Assert.That(await download.Content.ReadAsByteArrayAsync(), Is.EqualTo(_zip), "the same version gives the same bytes");

        using var zip = new ZipArchive(new MemoryStream(_zip));
        var manifest = JsonNode.Parse(Read(zip.GetEntry("manifest.json")!))!;
        Assert.That(manifest["package"]!["id"]!.GetValue<string>(), Is.EqualTo(_package));
        Assert.That(manifest["package"]!["namespacePrefix"]!.GetValue<string>(), Is.EqualTo("distr"));
        Assert.That(manifest["package"]!["locked"]!.GetValue<bool>(), Is.False);
        Assert.That(manifest["version"]!["id"]!.GetValue<string>(), Is.EqualTo(_version));
        Assert.That(manifest["version"]!["releaseState"]!.GetValue<string>(), Is.EqualTo("Released"));
        var items = manifest["items"]!.AsArray();
        Assert.That(items.Select(i => i!["path"]!.GetValue<string>()), Is.EquivalentTo(new[]
        {
            "items/Application/Field Service.json", "items/Object/Visit.json", "items/WebTab/Visits.json", "items/Field/Visit.Duration.json",
        }));
        foreach (var item in items)
        {
            var bytes = Read(zip.GetEntry(item!["path"]!.GetValue<string>())!);
            Assert.That(item["sha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }

        Assert.That(items.Single(i => i!["name"]!.GetValue<string>() == "Visit")!["includedBy"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("Field Service"));
    }

    [Test, Order(2)]
    public async Task An_import_on_another_installation_keeps_the_ids_manifest_and_checksums_and_is_idempotent()
    {
        var first = await PostZipAsync("/api/v1/packages/import", _zip).ExpectAsync(HttpStatusCode.Created);
        Assert.That(first.Text("packageId"), Is.EqualTo(_package));
        Assert.That(first.Text("versionId"), Is.EqualTo(_version));

        var source = await Admin.GetAsync($"/api/v1/versions/{_version}/manifest").ExpectAsync(HttpStatusCode.OK);
        var target = await _targetClient.GetAsync($"/api/v1/versions/{_version}/manifest").ExpectAsync(HttpStatusCode.OK);
        Assert.That(target.GetRawText(), Is.EqualTo(source.GetRawText()));
        using var again = await _targetClient.GetAsync($"/api/v1/versions/{_version}/package.zip");
        Assert.That(await again.Content.ReadAsByteArrayAsync(), Is.EqualTo(_zip), "the target serves the very same file");

        var second = await PostZipAsync("/api/v1/packages/import", _zip).ExpectAsync(HttpStatusCode.OK);
        Assert.That(second.Text("versionId"), Is.EqualTo(_version));
        var versions = await _targetClient.GetAsync($"/api/v1/packages/{_package}/versions").ExpectAsync(HttpStatusCode.OK);
        Assert.That(versions.GetArrayLength(), Is.EqualTo(1));
    }

    [Test, Order(3)]
    public async Task Other_content_under_an_imported_version_or_its_number_is_a_conflict_and_writes_nothing()
    {
        await PostZipAsync("/api/v1/packages/import", _zip);
        var before = await CountsAsync();

        var changed = Rewrite(_zip, (manifest, files) =>
        {
            files["items/Object/Visit.json"] = Encoding.UTF8.GetBytes("""{"label": "Changed"}""");
            Item(manifest, "Visit")["sha256"] = Convert.ToHexStringLower(SHA256.HashData(files["items/Object/Visit.json"]));
        });
        var conflict = await PostZipAsync("/api/v1/packages/import", changed).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain(_version));

        var sameNumber = Rewrite(_zip, (manifest, _) => manifest["version"]!["id"] = "04t" + "0000000000zz".PadLeft(12, '0'));
        await PostZipAsync("/api/v1/packages/import", sameNumber).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(await CountsAsync(), Is.EqualTo(before));
    }

    [Test, Order(3)]
    public async Task A_file_whose_package_id_is_another_package_here_or_whose_contents_break_the_rules_is_refused()
    {
        var squatter = (await _targetClient.PostAsJsonAsync("/api/v1/packages", new { name = "Squatter", namespacePrefix = "squat" }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var before = await CountsAsync();
        var taken = Rewrite(_zip, (m, _) =>
        {
            m["package"]!["id"] = squatter;
            m["version"]!["id"] = "04t00000000squt";
        });
        var conflict = await PostZipAsync("/api/v1/packages/import", taken).ExpectAsync(HttpStatusCode.Conflict);
        Assert.That(conflict.Text("detail"), Does.Contain("Squatter"));

        var badDefinition = Rewrite(_zip, (m, files) =>
        {
            m["version"]!["id"] = "04t00000000bdef";
            m["package"]!["id"] = "03300000000bdef";
            m["package"]!["namespacePrefix"] = "baddef";
            files["items/Field/Visit.Duration.json"] = "{}"u8.ToArray();
            Item(m, "Visit.Duration")["sha256"] = Convert.ToHexStringLower(SHA256.HashData(files["items/Field/Visit.Duration.json"]));
        });
        var invalid = await PostZipAsync("/api/v1/packages/import", badDefinition).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(invalid.GetProperty("problems")[0].Text("code"), Is.EqualTo("invalid_definition"));

        var withUser = Rewrite(_zip, (m, files) =>
        {
            m["version"]!["id"] = "04t00000000user";
            m["package"]!["id"] = "03300000000user";
            m["package"]!["namespacePrefix"] = "withuser";
            files["items/User/jane.json"] = "{}"u8.ToArray();
            m["items"]!.AsArray().Add(new JsonObject
            {
                ["type"] = "User",
                ["name"] = "jane",
                ["path"] = "items/User/jane.json",
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(files["items/User/jane.json"])),
                ["includedBy"] = new JsonArray(),
                ["selected"] = true,
            });
        });
        var rules = await PostZipAsync("/api/v1/packages/import", withUser).ExpectAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(rules.GetProperty("problems")[0].Text("rule"), Is.EqualTo("user-item"));
        Assert.That(await CountsAsync(), Is.EqualTo((before.Packages, before.Versions)));
    }

    [Test, Order(3)]
    public async Task A_beta_imported_then_promoted_at_the_source_is_promoted_by_importing_it_again()
    {
        var beta = (await Admin.PostAsJsonAsync($"/api/v1/packages/{_package}/versions", new { name = "Distributed 1.1 beta", majorVersion = 1, minorVersion = 1, releaseState = "Beta" })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        var betaZip = await Admin.GetByteArrayAsync($"/api/v1/versions/{beta}/package.zip");
        await PostZipAsync("/api/v1/packages/import", _zip);
        await PostZipAsync("/api/v1/packages/import", betaZip).ExpectAsync(HttpStatusCode.Created);
        await Admin.PatchAsJsonAsync($"/api/v1/versions/{beta}", new { releaseState = "Released" }).ExpectAsync(HttpStatusCode.OK);
        var releasedZip = await Admin.GetByteArrayAsync($"/api/v1/versions/{beta}/package.zip");

        await PostZipAsync("/api/v1/packages/import", releasedZip).ExpectAsync(HttpStatusCode.OK);
        var version = await _targetClient.GetAsync($"/api/v1/versions/{beta}").ExpectAsync(HttpStatusCode.OK);
        Assert.That(version.Text("releaseState"), Is.EqualTo("Released"));
        await PostZipAsync("/api/v1/packages/import", betaZip).ExpectAsync(HttpStatusCode.OK);
    }

    public static IEnumerable<TestCaseData> HostileFiles()
    {
        yield return new TestCaseData("zip slip", (Func<byte[], byte[]>)(zip => AddEntry(zip, "../evil.json", "{}"u8.ToArray()))).SetName("Hostile: zip slip");
        yield return new TestCaseData("absolute path", (Func<byte[], byte[]>)(zip => AddEntry(zip, "/etc/cron.d/evil", "x"u8.ToArray()))).SetName("Hostile: absolute path");
        yield return new TestCaseData("symlink", (Func<byte[], byte[]>)(zip => AddEntry(zip, "items/link", "/etc/passwd"u8.ToArray(), unixMode: 0xA1FF))).SetName("Hostile: symbolic link");
        yield return new TestCaseData("bomb", (Func<byte[], byte[]>)(zip => AddEntry(zip, "items/Class/Bomb.json", new byte[20 * 1024 * 1024]))).SetName("Hostile: compression bomb");
        yield return new TestCaseData("10,001 entries", (Func<byte[], byte[]>)ManyEntries).SetName("Hostile: 10,001 entries");
        yield return new TestCaseData("checksum", (Func<byte[], byte[]>)(zip => Rewrite(zip, (_, files) => files["items/Object/Visit.json"] = "{\"label\": \"tampered\"}"u8.ToArray())))
            .SetName("Hostile: checksum mismatch");
        yield return new TestCaseData("bad manifest", (Func<byte[], byte[]>)(zip => Replace(zip, "manifest.json", "{\"package\": "u8.ToArray()))).SetName("Hostile: manifest not JSON");
        yield return new TestCaseData("schema", (Func<byte[], byte[]>)(zip => Rewrite(zip, (m, _) => m["version"]!["majorVersion"] = "one"))).SetName("Hostile: manifest fails its schema");
        yield return new TestCaseData("no manifest", (Func<byte[], byte[]>)(zip => Remove(zip, "manifest.json"))).SetName("Hostile: missing manifest");
        yield return new TestCaseData("unknown type", (Func<byte[], byte[]>)(zip => Rewrite(zip, (m, files) =>
        {
            Item(m, "Visit")["type"] = "Gadget";
            Item(m, "Visit")["path"] = "items/Gadget/Visit.json";
            files["items/Gadget/Visit.json"] = files["items/Object/Visit.json"];
            files.Remove("items/Object/Visit.json");
        }))).SetName("Hostile: unknown item type");
        yield return new TestCaseData("duplicate", (Func<byte[], byte[]>)(zip => Rewrite(zip, (m, files) =>
        {
            var copy = JsonNode.Parse(Item(m, "Visit").ToJsonString())!;
            copy["name"] = "VISIT";
            copy["path"] = "items/Object/VISIT.json";
            files["items/Object/VISIT.json"] = files["items/Object/Visit.json"];
            m["items"]!.AsArray().Add(copy);
        }))).SetName("Hostile: duplicate item names");
        yield return new TestCaseData("not a zip", (Func<byte[], byte[]>)(_ => Encoding.UTF8.GetBytes("this is not a zip file"))).SetName("Hostile: not a ZIP");
    }

    [TestCaseSource(nameof(HostileFiles))]
    [Order(4)]
    public async Task A_hostile_file_is_refused_with_400_within_a_second_and_writes_nothing(string what, Func<byte[], byte[]> make)
    {
        var fresh = Rewrite(_zip, (m, _) =>
        {
            m["package"]!["id"] = "033" + "00000000hstl";
            m["package"]!["namespacePrefix"] = "hostile";
            m["version"]!["id"] = "04t" + "00000000hstl";
        });
        var file = make(fresh);
        var before = await CountsAsync();
        var clock = Stopwatch.StartNew();
        var problem = await PostZipAsync("/api/v1/packages/import", file).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), what);
        Assert.That(problem.GetProperty("problems").GetArrayLength(), Is.GreaterThan(0), what);
        Assert.That(problem.GetRawText(), Does.Not.Contain("Exception").And.Not.Contain("System."));
        Assert.That(await CountsAsync(), Is.EqualTo(before), what + " wrote nothing");
    }

    [Test, Order(5)]
    public async Task Install_from_file_puts_the_version_onto_one_tenant()
    {
        var tenant = (await _targetClient.PostAsJsonAsync("/api/v1/tenants", new { orgName = "File Customer", orgType = "Production", orgStatus = "Active" })
            .ExpectAsync(HttpStatusCode.Created)).Text("orgKey");
        var installed = await PostZipAsync($"/api/v1/tenants/{tenant}/installations/from-file", _zip).ExpectAsync(HttpStatusCode.OK);
        Assert.That(installed.Text("versionId"), Is.EqualTo(_version));
        Assert.That(installed.Text("result"), Is.EqualTo("applied"));
        Assert.That(installed.GetProperty("plan").Text("kind"), Is.EqualTo("install"));
        Assert.That(installed.GetProperty("plan").GetProperty("create").GetArrayLength(), Is.EqualTo(4));
        var components = await _targetClient.GetAsync($"/api/v1/tenants/{tenant}/components").ExpectAsync(HttpStatusCode.OK);
        Assert.That(components.GetProperty("records").EnumerateArray().Select(c => $"{c.Text("type")} {c.Text("name")} {c.Text("origin")}"),
            Is.EquivalentTo(new[] { "Application Field Service package", "Object Visit package", "WebTab Visits package", "Field Visit.Duration package" }));
        var installations = await _targetClient.GetAsync($"/api/v1/tenants/{tenant}/installations").ExpectAsync(HttpStatusCode.OK);
        Assert.That(installations.EnumerateArray().Select(i => i.Text("packageVersionId")), Does.Contain(_version));

        var before = await CountsAsync();
        await PostZipAsync("/api/v1/tenants/00D00000000nope/installations/from-file", Rewrite(_zip, (m, _) => m["version"]!["id"] = "04t00000000nope"))
            .ExpectAsync(HttpStatusCode.NotFound);
        Assert.That(await CountsAsync(), Is.EqualTo(before), "an unknown tenant imports nothing");
    }

    [Test, Order(6)]
    public async Task While_install_from_file_is_off_import_and_install_answer_FEATURE_DISABLED()
    {
        await _targetClient.PatchAsJsonAsync("/api/v1/settings", new { installFromFileEnabled = false }).ExpectAsync(HttpStatusCode.OK);
        try
        {
            var refused = await PostZipAsync("/api/v1/packages/import", _zip).ExpectAsync(HttpStatusCode.Forbidden);
            Assert.That(refused.Text("errorCode"), Is.EqualTo("FEATURE_DISABLED"));
            await PostZipAsync("/api/v1/tenants/00D000000000001/installations/from-file", _zip).ExpectAsync(HttpStatusCode.Forbidden);
            using var download = await _targetClient.GetAsync($"/api/v1/versions/{_version}/package.zip");
            Assert.That(download.StatusCode, Is.EqualTo(HttpStatusCode.OK), "downloading is not install from file");
        }
        finally
        {
            await _targetClient.PatchAsJsonAsync("/api/v1/settings", new { installFromFileEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        }
    }

    private Task<HttpResponseMessage> PostZipAsync(string path, byte[] zip)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return _targetClient.PostAsync(path, content);
    }

    private async Task<(int Packages, int Versions)> CountsAsync()
    {
        var packages = (await _targetClient.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK)).EnumerateArray().Select(p => p.Text("id")).ToList();
        var versions = 0;
        foreach (var package in packages)
        {
            versions += (await _targetClient.GetAsync($"/api/v1/packages/{package}/versions").ExpectAsync(HttpStatusCode.OK)).GetArrayLength();
        }

        return (packages.Count, versions);
    }

    private static JsonNode Item(JsonNode manifest, string name) => manifest["items"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == name)!;

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The ZIP with its manifest and files changed by <paramref name="change"/>, written afresh (checksums untouched unless changed).</summary>
    private static byte[] Rewrite(byte[] zip, Action<JsonNode, Dictionary<string, byte[]>> change)
    {
        using var source = new ZipArchive(new MemoryStream(zip));
        var files = source.Entries.ToDictionary(e => e.FullName, Read);
        var manifest = JsonNode.Parse(files["manifest.json"])!;
        files.Remove("manifest.json");
        change(manifest, files);
        files = new Dictionary<string, byte[]> { ["manifest.json"] = Encoding.UTF8.GetBytes(manifest.ToJsonString()) }.Concat(files).ToDictionary();
        return Write(files.Select(f => (f.Key, f.Value, 0)));
    }

    private static byte[] AddEntry(byte[] zip, string name, byte[] content, int unixMode = 0)
    {
        using var source = new ZipArchive(new MemoryStream(zip));
        return Write(source.Entries.Select(e => (e.FullName, Read(e), 0)).Append((name, content, unixMode)));
    }

    private static byte[] Replace(byte[] zip, string name, byte[] content)
    {
        using var source = new ZipArchive(new MemoryStream(zip));
        return Write(source.Entries.Select(e => (e.FullName, e.FullName == name ? content : Read(e), 0)));
    }

    private static byte[] Remove(byte[] zip, string name)
    {
        using var source = new ZipArchive(new MemoryStream(zip));
        return Write(source.Entries.Where(e => e.FullName != name).Select(e => (e.FullName, Read(e), 0)));
    }

    private static byte[] ManyEntries(byte[] zip)
    {
        using var source = new ZipArchive(new MemoryStream(zip));
        var entries = source.Entries.Select(e => (e.FullName, Read(e), 0)).ToList();
        entries.AddRange(Enumerable.Range(0, 10_001).Select(i => ($"extra/{i}.txt", new byte[] { 1 }, 0)));
        return Write(entries);
    }

    private static byte[] Write(IEnumerable<(string Name, byte[] Content, int UnixMode)> entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, unixMode) in entries)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                if (unixMode != 0)
                {
                    entry.ExternalAttributes = unixMode << 16;
                }

                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return output.ToArray();
    }
}
