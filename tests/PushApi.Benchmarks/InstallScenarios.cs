using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P13: the install engine in a push — a 50-item package upgraded in every tenant, in-platform: once where every one of
/// the 50 items changed (each tenant's 50 components rewritten, the worst case) and once where 5 of them changed (a
/// typical release). The upgrade pushes run exactly as P1's (request, bulk-added jobs, Pending, roll-up) so P1's rate in
/// the same run is the baseline; the fresh install that puts version 1 in place (a deployment with installOrUpgrade) is
/// reported too. RSS is sampled while the upgrades run.
/// </summary>
public static class InstallScenarios
{
    private const int Items = 50;

    public static async Task<IEnumerable<Result>> UpgradeAsync(ScenarioContext c)
    {
        var (package, items) = await PackageAsync(c);
        var v1 = await PublishAsync(c, package, 1);
        var watch = Stopwatch.StartNew();
        double rssAfterInstall;
        using (var deployed = await c.Bench.Http.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = v1, targets = new { orgKeys = c.Orgs }, installMode = "installOrUpgrade" }))
        {
            var body = await deployed.Content.ReadFromJsonAsync<JsonObject>();
            var id = body?["id"]?.GetValue<string>() ?? throw new InvalidOperationException("the fresh-install deployment failed: " + body);
            await ExpectAllSucceededAsync(c, id);
            rssAfterInstall = Bench.RssMb(c.Bench.Server);
        }

        var install = c.Orgs.Count / watch.Elapsed.TotalSeconds;
        var major = 1;
        var peak = 0.0;
        var rssPeaks = new RssPeaks();
        using var rss = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var sampling = Task.Run(async () =>
        {
            while (await rss.WaitForNextTickAsync())
            {
                var now = Bench.RssMb(c.Bench.Server);
                peak = Math.Max(peak, now);
                rssPeaks.Sample(now);
            }
        });
        var every = new List<double>();
        var some = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            every.Add(await UpgradeAsync(c, package, items, ++major, rssPeaks, run == 0 ? "P13, every item changed" : null));
        }

        for (var run = 0; run < c.Options.Repeats; run++)
        {
            some.Add(await UpgradeAsync(c, package, items.Take(5).ToList(), ++major, rssPeaks, run == 0 ? "P13, 5 items changed" : null));
        }

        rss.Dispose();
        await sampling;
        var rewritten = await RewrittenAsync(c, package);
        var baseline = c.SingleInstanceRate > 0 ? c.SingleInstanceRate : (double?)null;
        Result Line(string what, double rate, string note) =>
            new("P13", what, "tenants_per_s", rate, baseline, baseline is { } b ? rate / b : null, ">=2000 tenants/s", rate >= 2_000, note);
        return
        [
            Line($"{Items}-item upgrade of {c.Orgs.Count:N0} in-platform tenants, every item changed", Median(every), $"runs {Runs(every)}; baseline: P1's plain version-label push in this run"),
            Line($"{Items}-item upgrade of {c.Orgs.Count:N0} in-platform tenants, 5 items changed", Median(some), $"runs {Runs(some)}; {rewritten:N0} components in place after all upgrades"),
            new Result("P13", $"fresh install of the {Items}-item version 1 into {c.Orgs.Count:N0} tenants (deployment, installOrUpgrade)", "tenants_per_s", install, null, null,
                "reported", null, $"includes creating the deployment's jobs; server RSS after it {rssAfterInstall:0} MB"),
            new Result("P13", "server RSS while the upgrades run", "peak_rss_mb", peak, null, null, "<=400 MB", peak <= 400,
                $"peak while the pushes ran {rssPeaks.Pushing:0} MB, while their jobs were added (Bulk 2.0) and versions published {rssPeaks.Preparing:0} MB"),
        ];
    }

    /// <summary>
    /// Changes <paramref name="changed"/> items, publishes the next version and pushes it to every tenant as P1 does; tenants a second.
    /// With <c>--profile</c> and a <paramref name="profiled"/> name, the push itself is profiled.
    /// </summary>
    private static async Task<double> UpgradeAsync(ScenarioContext c, string package, IReadOnlyList<string> changed, int major, RssPeaks rssPeaks, string? profiled = null)
    {
        foreach (var item in changed)
        {
            using var response = await c.Bench.Http.PatchAsJsonAsync($"/api/v1/packages/{package}/items/{item}", new { definition = Definition(major) });
            response.EnsureSuccessStatusCode();
        }

        var version = await PublishAsync(c, package, major);
        var request = await c.Api.RequestAsync(version);
        await c.Api.BulkAddAsync(request, c.Orgs);
        var profile = profiled is null ? null : await Profile.StartAsync(c, profiled);
        rssPeaks.SetPushing(true);
        var watch = Stopwatch.StartNew();
        await c.Api.SetStatusAsync(request, "Pending");
        await ExpectAllSucceededAsync(c, request);
        var rate = c.Orgs.Count / watch.Elapsed.TotalSeconds;
        rssPeaks.SetPushing(false);
        if (profile is not null)
        {
            await profile.ReportAsync();
        }

        return rate;
    }

    private static string Runs(List<double> rates) => string.Join(", ", rates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));

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
        var done = await c.WaitQuietlyAsync(request, TimeSpan.FromMinutes(20));
        if (done.GetProperty("status").GetString() != "Succeeded" || done.GetProperty("jobs").GetProperty("succeeded").GetInt32() != c.Orgs.Count)
        {
            throw new InvalidOperationException($"push {request} ended {done}");
        }
    }

    /// <summary>The package's components: every tenant must have all 50, none orphaned.</summary>
    private static async Task<long> RewrittenAsync(ScenarioContext c, string package)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM tenant_components WHERE package_id = $1 AND NOT orphaned", connection);
        command.Parameters.Add(new() { Value = Bench.Number(package) });
        var count = (long)(await command.ExecuteScalarAsync())!;
        return count == (long)c.Orgs.Count * Items ? count : throw new InvalidOperationException($"{count} components of the package, not {c.Orgs.Count * Items}");
    }

    /// <summary>The server's RSS peaks split by phase: while a push runs, and while its jobs are added and its version published.</summary>
    private sealed class RssPeaks
    {
        private volatile bool _pushing;

        public double Pushing { get; private set; }

        public double Preparing { get; private set; }

        public void SetPushing(bool pushing) => _pushing = pushing;

        public void Sample(double mb)
        {
            if (_pushing)
            {
                Pushing = Math.Max(Pushing, mb);
            }
            else
            {
                Preparing = Math.Max(Preparing, mb);
            }
        }
    }
}
