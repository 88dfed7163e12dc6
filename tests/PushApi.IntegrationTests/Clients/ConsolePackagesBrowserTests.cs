using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Clients;

/// <summary>
/// The operator console's Packages pages in headless Chromium: a package is built item by item (one item
/// pulls its dependencies in, one is removed), a version fails the package criteria (shown item by item),
/// is fixed and published, promoted, deprecated and downloaded, and the ZIP is imported through the console
/// of a second server process with its own database (on the suite's PostgreSQL); a bad file is refused in
/// words; a Read user sees no enabled write control; no console errors (the CSP holds).
/// </summary>
[NonParallelizable]
public class ConsolePackagesBrowserTests() : ApiFixture("console-packages")
{
    private const string ReaderName = "packages-reader@test.local";
    private const string Password = "Console-Password-1";
    private const string TargetAdmin = "admin@console-target.test";
    private const string TargetPassword = "Target-Password-1";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("NUnit", "NUnit1032", Justification = "Started in OnStartedAsync (one-time set-up) and stopped in StopTarget (one-time tear-down).")]
    private ServerProcess _target = null!;
    private HttpClient _targetClient = null!;

    protected override async Task OnStartedAsync()
    {
        _target = ServerProcess.Start(Path.GetTempPath(), new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = await TestPostgres.CreateDatabaseAsync("console-target"),
            ["PushApi__DataDirectory"] = Path.Combine(Path.GetTempPath(), "pushapi-console-target-" + Guid.NewGuid().ToString("N")[..8]),
            ["PushApi__Bootstrap__Username"] = TargetAdmin,
            ["PushApi__Bootstrap__Password"] = TargetPassword,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        _targetClient = await _target.LoginAsync(TargetAdmin, TargetPassword);
        await _targetClient.PatchAsJsonAsync("/api/v1/settings", new { installFromFileEnabled = true }).ExpectAsync(HttpStatusCode.OK);
        await Admin.PostAsJsonAsync("/api/v1/users", new { username = ReaderName, password = Password, permissions = new[] { "Read" } }).ExpectAsync(HttpStatusCode.Created);
    }

    [OneTimeTearDown]
    public void StopTarget()
    {
        _targetClient?.Dispose();
        _target?.Dispose();
    }

    [Test]
    public async Task An_operator_builds_publishes_downloads_and_imports_a_package_while_a_reader_can_only_look()
    {
        var shots = ClientTools.ScreenshotDirectory("console-packages");
        var hostile = HostileZip(Path.Combine(shots, "hostile-package.zip"));
        var output = await ClientTools.RunNodeAsync("console-packages-browser.js", new Dictionary<string, string?>
        {
            ["PUSHAPI_URL"] = Server.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["PUSHAPI_USERNAME"] = PushApiServer.AdminUsername,
            ["PUSHAPI_PASSWORD"] = PushApiServer.AdminPassword,
            ["READER_USERNAME"] = ReaderName,
            ["READER_PASSWORD"] = Password,
            ["TARGET_URL"] = _target.BaseAddress.GetLeftPart(UriPartial.Authority),
            ["TARGET_USERNAME"] = TargetAdmin,
            ["TARGET_PASSWORD"] = TargetPassword,
            ["PUSHAPI_SCREENSHOTS"] = shots,
            ["BAD_ZIP"] = hostile,
        }, TimeSpan.FromMinutes(4));
        foreach (var shot in Directory.GetFiles(shots, "*.png"))
        {
            TestContext.AddTestAttachment(shot, Path.GetFileName(shot));
        }

        var seen = JsonDocument.Parse(output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
        var package = seen.Text("packageId");
        await ContentsAsync(seen, package);
        await VersionsAsync(seen, package, shots);
        await ImportAsync(seen, package);
        Readers(seen);

        Assert.That(seen.GetProperty("phoneWidth").GetInt32(), Is.LessThanOrEqualTo(390), "at a phone's width the page does not scroll sideways");
        Assert.That(seen.GetProperty("unlabelled").EnumerateArray().Select(e => e.GetString()), Is.Empty, "every control on every page shot has a label");
        Assert.That(seen.GetProperty("shownErrors").EnumerateArray().Select(e => e.GetString()), Is.Empty, "no error shown on the pages");
        Assert.That(seen.GetProperty("refused").EnumerateArray().Select(e => e.GetString()!.Replace(package, "{package}", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "400 POST /api/v1/packages/{package}/items (first server)", "422 POST /api/v1/packages/{package}/versions (first server)", "400 POST /api/v1/packages/import (second server)",
        }), "the only refused calls are the bad definition, the criteria and the bad file");
        // The refused calls are logged by Chromium; nothing else may be.
        Assert.That(seen.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()).Where(e => !e!.Contains("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal)), Is.Empty,
            "no script errors and no content-security-policy violations");
        Assert.That(Directory.GetFiles(shots, "console-*.png").Select(Path.GetFileName), Is.SupersetOf(new[]
        {
            "console-packages.png", "console-package-contents.png", "console-package-criteria.png", "console-package-import.png", "console-package-import-error.png",
        }));
    }

    private async Task ContentsAsync(JsonElement seen, string package)
    {
        var shown = seen.GetProperty("items").EnumerateArray().Select(i => (i.Text("type"), i.Text("name"), i.Text("included"), i.Text("includedBy"))).ToList();
        Assert.That(shown, Is.EquivalentTo(new[]
        {
            ("Application", "Ops", "Selected", "—"), ("Object", "Ticket", "Auto-included", "Application Ops"),
            ("WebTab", "Tickets", "Auto-included", "Application Ops"), ("Field", "Ticket.Priority", "Selected", "—"),
        }), "the application pulled its object and tab in, marked; the removed object is gone");
        Assert.That(seen.Text("addProblems"), Does.Contain("definition.object"), "a field without its object is refused in words");
        Assert.That(seen.Text("lockedShown"), Is.EqualTo("Unlocked"));

        var items = await Admin.GetAsync($"/api/v1/packages/{package}/items").ExpectAsync(HttpStatusCode.OK);
        var stored = items.EnumerateArray().ToDictionary(i => (i.Text("type"), i.Text("name")));
        Assert.That(stored.Keys, Is.EquivalentTo(new[] { ("Application", "Ops"), ("Object", "Ticket"), ("WebTab", "Tickets"), ("Field", "Ticket.Priority") }));
        Assert.That(stored[("Object", "Ticket")].GetProperty("selected").GetBoolean(), Is.False, "given its definition in the console, it stays pulled in");
        Assert.That(stored[("Object", "Ticket")].GetProperty("includedBy")[0].Text("name"), Is.EqualTo("Ops"));
        Assert.That(stored[("Object", "Ticket")].GetProperty("definition").GetProperty("label").GetString(), Is.EqualTo("Ticket"));
        var created = await Admin.GetAsync($"/api/v1/packages/{package}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((created.Text("name"), created.Text("namespacePrefix"), created.GetProperty("locked").GetBoolean()), Is.EqualTo(("Console Demo", "cdemo", false)));
    }

    private async Task VersionsAsync(JsonElement seen, string package, string shots)
    {
        var criteria = seen.GetProperty("criteria").EnumerateArray().Select(p => (p.Text("item"), p.Text("rule"))).ToList();
        Assert.That(criteria, Is.EquivalentTo(new[] { ("Object Ticket", "definition-missing"), ("WebTab Tickets", "definition-missing") }), "each problem a row");
        Assert.That(seen.GetProperty("criteria")[0].Text("message"), Does.Contain("included by Application Ops").And.Not.Contain("{"));

        var beta = seen.Text("betaId");
        var released = seen.Text("releasedId");
        var versions = (await Admin.GetAsync($"/api/v1/packages/{package}/versions").ExpectAsync(HttpStatusCode.OK)).EnumerateArray()
            .ToDictionary(v => v.Text("id"), v => (v.Text("versionNumber"), v.Text("releaseState"), v.GetProperty("isDeprecated").GetBoolean()));
        Assert.That(versions[beta], Is.EqualTo(("1.0", "Released", true)), "published as Beta, promoted, then deprecated in the console");
        Assert.That(versions[released], Is.EqualTo(("1.1", "Released", false)));

        using var zip = await Admin.GetAsync($"/api/v1/versions/{beta}/package.zip");
        Assert.That(seen.Text("zipName"), Is.EqualTo("cdemo-1.0.0-1.zip"));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(shots, seen.Text("zipName"))), Is.EqualTo(await zip.Content.ReadAsByteArrayAsync()), "the browser saved the very ZIP");

        Assert.That(seen.GetProperty("pushRows").EnumerateArray().Select(r => r.GetString()), Is.EqualTo(new[] { seen.Text("deploymentId") }));
        Assert.That(seen.Text("scheduleHref"), Is.EqualTo($"#/schedule/{package}"));
        Assert.That(seen.Text("listRow"), Does.Contain("Console Demo").And.Contain("cdemo").And.Contain("1.1.0 · Released"));
    }

    private async Task ImportAsync(JsonElement seen, string package)
    {
        var beta = seen.Text("betaId");
        var imported = seen.GetProperty("imported");
        Assert.That((imported.Text("version"), imported.Text("package")), Is.EqualTo((beta, package)));
        var there = await _targetClient.GetAsync($"/api/v1/versions/{beta}").ExpectAsync(HttpStatusCode.OK);
        Assert.That((there.Text("id"), there.Text("packageId"), there.Text("versionNumber")), Is.EqualTo((beta, package, "1.0")), "the second server holds the version with the same id");
        var items = await _targetClient.GetAsync($"/api/v1/versions/{beta}/manifest").ExpectAsync(HttpStatusCode.OK);
        Assert.That(items.GetProperty("items").GetArrayLength(), Is.EqualTo(4));

        var bad = seen.GetProperty("badFile").EnumerateArray().ToList();
        Assert.That(bad.Select(p => (p.Text("item"), p.Text("rule"))), Is.SupersetOf(new[] { ("../escape.json", "path_traversal"), ("/etc/absolute.json", "absolute_path") }),
            "each hostile entry is a row naming it");
        Assert.That(bad.Select(p => p.Text("message")), Has.All.Not.Empty);
        Assert.That(bad.Select(p => p.Text("message")), Has.None.Contain("{"), "in words, not JSON");
        Assert.That(seen.Text("badFileText"), Does.Contain("Invalid package file"));
        var packages = await _targetClient.GetAsync("/api/v1/packages").ExpectAsync(HttpStatusCode.OK);
        Assert.That(packages.EnumerateArray().Select(p => p.Text("id")), Is.EqualTo(new[] { package }), "the bad file wrote nothing");
    }

    /// <summary>A ZIP whose entries climb out of the folder and start at the root (refused before anything is read).</summary>
    private static string HostileZip(string path)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var name in new[] { "manifest.json", "../escape.json", "/etc/absolute.json" })
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write("{}");
            }
        }

        return path;
    }

    private static void Readers(JsonElement seen)
    {
        var controls = seen.GetProperty("reader").EnumerateObject().SelectMany(p => p.Value.EnumerateArray()).ToList();
        Assert.That(controls.Select(c => c.Text("id")), Is.SupersetOf(new[] { "create-package-button", "publish-button", "add-item-button", "schedule-push", "import-button", "toggle-lock" }));
        Assert.That(controls.Select(c => c.Text("id")), Does.Contain("promote").Or.Contain("deprecate"));
        Assert.That(controls.Where(c => !c.GetProperty("disabled").GetBoolean()).Select(c => c.Text("label")), Is.Empty, "a Read user sees no enabled write control");
        Assert.That(controls.Select(c => c.Text("title")), Has.All.Match("(Admin|PushUpgrade) permission"));
    }
}
