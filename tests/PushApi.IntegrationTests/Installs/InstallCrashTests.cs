using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Npgsql;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Installs;

/// <summary>
/// A crash mid-install leaves no tenant half-installed: the server is killed with SIGKILL in the middle of a fresh
/// install of a 30-item package into 4,000 in-platform tenants, and again in the middle of their upgrade to a version
/// that changes, drops and adds items. At each kill and after the restart finishes the push, every tenant's packaged
/// components are exactly one version's manifest — the version its install row names — or none at all.
/// </summary>
[NonParallelizable]
public class InstallCrashTests
{
    private const int Tenants = 4000;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("PUSHAPI_CRASH_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : Environment.TickCount;
    private readonly Random _random = new(Seed);
    private readonly int _port = ServerProcess.FreePort();
    private string _connectionString = null!;
    private string _dataDirectory = null!;

    [OneTimeSetUp]
    public async Task CreateDatabaseAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync("installcrash");
        _dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-installcrash-" + Guid.NewGuid().ToString("N")[..8]);
    }

    [OneTimeTearDown]
    public void RemoveDataDirectory()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private ServerProcess StartServer() => ServerProcess.Start(Path.GetTempPath(), port: _port, environment: new Dictionary<string, string?>
    {
        ["ConnectionStrings__PushApi"] = _connectionString,
        ["PushApi__DataDirectory"] = _dataDirectory,
        ["PushApi__Bootstrap__Username"] = "admin@installcrash.test",
        ["PushApi__Bootstrap__Password"] = "Password-1",
        ["PushApi__Features__MassDeployment"] = "true",
        ["PushApi__Execution__LeaseDuration"] = "00:00:04",
        ["PushApi__Execution__ReconcileInterval"] = "00:00:01",
        ["PushApi__Execution__BatchSize"] = "100",
        ["PushApi__RateLimit__RequestsPerSecond"] = "100000",
        ["Logging__LogLevel__Default"] = "Warning",
    });

    [Test]
    public async Task A_kill_9_mid_install_leaves_every_tenant_on_exactly_one_manifest()
    {
        TestContext.Out.WriteLine($"Kill points from seed {Seed} (PUSHAPI_CRASH_SEED={Seed} repeats them).");
        string package, v1, v2;
        List<string> tenants;
        using (var server = StartServer())
        {
            using var client = await server.LoginAsync("admin@installcrash.test", "Password-1");
            var steps = new InstallSteps(client);
            var items = Enumerable.Range(1, 15).SelectMany(i => new[] { ("Object", $"Entity{i}", (object)new { n = i }), ("Class", $"Code{i}", (object)new { source = $"v1-{i}" }) }).ToArray();
            package = await steps.PackageAsync("Crash Install", locked: false, items);
            v1 = await steps.PublishAsync(package, 1);
            var rows = Enumerable.Range(0, Tenants).Select(i => new { orgName = $"Crash {i}", orgType = "Production", orgStatus = "Active" }).ToList();
            tenants = [.. (await client.PostAsJsonAsync("/api/v1/tenants/import", rows).ExpectAsync(HttpStatusCode.OK)).GetProperty("rows").EnumerateArray().Select(r => r.Text("orgKey"))];

            // The upgrade's version: ten classes changed, two items dropped, three added.
            var listed = await client.GetAsync($"/api/v1/packages/{package}/items").ExpectAsync(HttpStatusCode.OK);
            foreach (var item in listed.EnumerateArray().Where(i => i.Text("type") == "Class").Take(10))
            {
                await client.PatchAsJsonAsync($"/api/v1/packages/{package}/items/{item.Text("id")}", new { definition = new { source = "v2" } }).ExpectAsync(HttpStatusCode.OK);
            }

            foreach (var item in listed.EnumerateArray().Where(i => i.Text("name") is "Code14" or "Code15"))
            {
                await client.DeleteAsync($"/api/v1/packages/{package}/items/{item.Text("id")}").ExpectAsync(HttpStatusCode.NoContent);
            }

            foreach (var name in new[] { "New1", "New2", "New3" })
            {
                await client.PostAsJsonAsync($"/api/v1/packages/{package}/items", new { type = "Class", name, definition = new { } }).ExpectAsync(HttpStatusCode.Created);
            }

            v2 = await steps.PublishAsync(package, 2);
        }

        foreach (var (version, mode) in new[] { (v1, "installOrUpgrade"), (v2, "upgrade") })
        {
            string id;
            var killAfter = TimeSpan.FromMilliseconds(_random.Next(200, 1500));
            using (var server = StartServer())
            {
                using var client = await server.LoginAsync("admin@installcrash.test", "Password-1");
                id = (await new InstallSteps(client).DeployAsync(new { packageVersionId = version, targets = new { orgKeys = tenants }, installMode = mode })).Text("id");
                await Task.Delay(killAfter);
                server.Kill();
            }

            var atKill = await ScalarAsync($"SELECT succeeded_count FROM push_requests WHERE id = {Number(id)}");
            TestContext.Out.WriteLine($"{version}: killed after {killAfter.TotalMilliseconds:0} ms with {atKill} of {Tenants} tenants installed.");
            await AssertEveryTenantOnOneManifestAsync(package);

            using (var server = StartServer())
            {
                using var client = await server.LoginAsync("admin@installcrash.test", "Password-1");
                var finished = await new InstallSteps(client).FinishedAsync(id, TimeSpan.FromSeconds(120));
                Assert.That(finished.Text("status"), Is.EqualTo("Succeeded"));
                Assert.That(await ScalarAsync($"SELECT count(*) FROM push_jobs WHERE request_id = {Number(id)} AND status <> 'Succeeded'"), Is.Zero);
            }

            await AssertEveryTenantOnOneManifestAsync(package);
            Assert.That(await ScalarAsync($"SELECT count(*) FROM installations WHERE package_version_id = {Number(version, "04t")}"), Is.EqualTo(Tenants));
        }
    }

    /// <summary>Each tenant's packaged components (not orphaned) are exactly the manifest of the version it is on (none when it has no install); orphans only on the version that dropped them.</summary>
    private async Task AssertEveryTenantOnOneManifestAsync(string package)
    {
        var id = Number(package, "033");
        var mismatched = await ScalarAsync(
            $"""
            WITH have AS (
                SELECT org_key, type, lower(name) AS name, sha256 FROM tenant_components WHERE package_id = {id} AND NOT orphaned
            ), want AS (
                SELECT i.org_key, m.type, lower(m.name) AS name, m.sha256
                FROM installations i JOIN package_version_items m ON m.version_id = i.package_version_id
                WHERE i.package_id = {id}
            )
            SELECT count(DISTINCT org_key) FROM ((SELECT * FROM have EXCEPT SELECT * FROM want) UNION ALL (SELECT * FROM want EXCEPT SELECT * FROM have)) AS differences
            """);
        Assert.That(mismatched, Is.Zero, "tenants whose components are not exactly their version's manifest");
        var strayOrphans = await ScalarAsync(
            $"""
            SELECT count(*) FROM tenant_components c JOIN installations i ON i.org_key = c.org_key AND i.package_id = c.package_id
            WHERE c.package_id = {id} AND c.orphaned AND EXISTS (SELECT 1 FROM package_version_items m WHERE m.version_id = i.package_version_id AND m.type = c.type AND lower(m.name) = lower(c.name))
            """);
        Assert.That(strayOrphans, Is.Zero, "an orphan is an item the tenant's version dropped");
    }

    private static long Number(string id, string prefix = "0DV")
    {
        Core.Ids.SalesforceId.TryParseNumber(id, prefix, out var number);
        return number;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
