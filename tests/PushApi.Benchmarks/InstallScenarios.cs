using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P13: the install engine in a push — a 50-item package upgraded in every tenant, in-platform, where every one of the
/// 50 items changed (each tenant's 50 components rewritten). The upgrade pushes run exactly as P1's (request, bulk-added
/// jobs, Pending, roll-up) so P1's rate in the same run is the baseline; the fresh install that puts version 1 in place
/// (a deployment with installOrUpgrade) is reported too.
/// </summary>
public static class InstallScenarios
{
    private const int Items = 50;

    public static async Task<IEnumerable<Result>> UpgradeAsync(ScenarioContext c)
    {
        var (package, items) = await PackageAsync(c);
        var v1 = await PublishAsync(c, package, 1);
        using var sampler = c.SampleMemory();
        var peakBefore = c.PeakRss;
        var watch = Stopwatch.StartNew();
        using (var deployed = await c.Bench.Http.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = v1, targets = new { orgKeys = c.Orgs }, installMode = "installOrUpgrade" }))
        {
            var body = await deployed.Content.ReadFromJsonAsync<JsonObject>();
            var id = body?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("the fresh-install deployment failed: " + body);
            await ExpectAllSucceededAsync(c, id);
        }

        var install = c.Orgs.Count / watch.Elapsed.TotalSeconds;
        var rates = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            foreach (var item in items)
            {
                using var changed = await c.Bench.Http.PatchAsJsonAsync($"/api/v1/packages/{package}/items/{item}", new { definition = Definition(run + 2) });
                changed.EnsureSuccessStatusCode();
            }

            var version = await PublishAsync(c, package, run + 2);
            var request = await c.Api.RequestAsync(version);
            await c.Api.BulkAddAsync(request, c.Orgs);
            watch.Restart();
            await c.Api.SetStatusAsync(request, "Pending");
            await ExpectAllSucceededAsync(c, request);
            rates.Add(c.Orgs.Count / watch.Elapsed.TotalSeconds);
        }

        var rewritten = await RewrittenAsync(c, package);
        var rate = Median(rates);
        var baseline = c.SingleInstanceRate > 0 ? c.SingleInstanceRate : (double?)null;
        return
        [
            new Result("P13", $"{Items}-item upgrade of {c.Orgs.Count:N0} in-platform tenants (every item changed)", "tenants_per_s", rate, baseline, baseline is { } b ? rate / b : null,
                ">=2000 tenants/s", rate >= 2_000, $"baseline: P1's plain version-label push in this run; {rewritten:N0} components on the last version"),
            new Result("P13", $"fresh install of the {Items}-item version 1 into {c.Orgs.Count:N0} tenants (deployment, installOrUpgrade)", "tenants_per_s", install, null, null,
                "reported", null, "includes creating the deployment's jobs"),
            new Result("P13", "server RSS while installing", "peak_rss_mb", c.PeakRss, peakBefore > 0 ? peakBefore : null, null, "<=400 MB", c.PeakRss <= 400),
        ];
    }

    private static object Definition(int version) => new { label = "Bench", source = $"version {version}", description = new string('x', 200) };

    private static async Task<(string Package, List<string> ItemIds)> PackageAsync(ScenarioContext c)
    {
        var items = Enumerable.Range(0, Items).Select(i => new { type = i % 2 == 0 ? "Object" : "Class", name = $"Install{i:D2}", definition = Definition(1) }).ToList();
        using var created = await c.Bench.Http.PostAsJsonAsync("/api/v1/packages", new { name = "Bench Installs", namespacePrefix = "bi" + Guid.NewGuid().ToString("N")[..8], locked = false, items });
        var package = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var listed = await c.Bench.Http.GetFromJsonAsync<JsonArray>($"/api/v1/packages/{package}/items");
        return (package, [.. listed!.Select(i => i!["id"]!.ToString())]);
    }

    private static async Task<string> PublishAsync(ScenarioContext c, string package, int major)
    {
        using var published = await c.Bench.Http.PostAsJsonAsync($"/api/v1/packages/{package}/versions", new { name = $"{major}.0", majorVersion = major, minorVersion = 0, releaseState = "Released" });
        return (await published.Content.ReadFromJsonAsync<JsonObject>())!["id"]?.GetValue<string>()
            ?? throw new InvalidOperationException("publishing the bench package failed: " + await published.Content.ReadAsStringAsync());
    }

    private static async Task ExpectAllSucceededAsync(ScenarioContext c, string request)
    {
        var done = await c.Api.WaitForAsync(request, TimeSpan.FromMinutes(20), "Succeeded", "Failed");
        if (done.GetProperty("status").GetString() != "Succeeded" || done.GetProperty("jobs").GetProperty("succeeded").GetInt32() != c.Orgs.Count)
        {
            throw new InvalidOperationException($"push {request} ended {done}");
        }
    }

    /// <summary>The package's components on its newest version: every tenant's 50 must have been rewritten.</summary>
    private static async Task<long> RewrittenAsync(ScenarioContext c, string package)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM tenant_components WHERE package_id = $1 AND package_version_id = (SELECT max(id) FROM package_versions WHERE package_id = $1)", connection);
        command.Parameters.Add(new() { Value = Bench.Number(package) });
        var count = (long)(await command.ExecuteScalarAsync())!;
        return count == (long)c.Orgs.Count * Items ? count : throw new InvalidOperationException($"{count} components on the newest version, not {c.Orgs.Count * Items}");
    }
}
