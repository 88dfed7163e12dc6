using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P18 at one size: for each repeat a new version of the package, the dry run of a deployment to all its tenants,
/// the deployment itself, its push with the monitor's deployment view refreshed every second, the status afterwards,
/// and the REST query of the package's subscribers paged to the end.
/// </summary>
public static class MillionTenantsPoint
{
    public static async Task<PointResult> MeasureAsync(ScenarioContext c, string package, int tenants, int repeats)
    {
        var point = new PointResult(tenants, [], [], [], [], [], []);
        var statusDuring = new List<double>();
        for (var run = 0; run < repeats; run++)
        {
            var version = await c.Api.CreateVersionAsync(package, run + 2);
            var profile = run == 0 && tenants == c.Options.Scale ? await Profile.StartAsync(c, $"P18, dry run, deployment, push and paging of {tenants:N0} tenants") : null;
            var dryRun = Stopwatch.StartNew();
            var report = (await DeployAsync(c, new { packageVersionId = version, dryRun = true, targets = new { all = true } })).GetProperty("report");
            point.DryRuns.Add(dryRun.Elapsed.TotalSeconds);
            var rss = $"RSS after the dry run {Bench.RssMb(c.Bench.Server):0} MB";
            Expect(report.GetProperty("eligible").GetInt32(), tenants, "eligible in the dry run");

            var tablesBefore = await PushTablesMbAsync(c);
            var create = Stopwatch.StartNew();
            var id = (await DeployAsync(c, new { packageVersionId = version, targets = new { all = true } })).GetProperty("id").GetString()!;
            point.Creates.Add(create.Elapsed.TotalSeconds);
            rss += $", the create {Bench.RssMb(c.Bench.Server):0} MB";
            var push = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var monitor = MonitorAsync(c, id, stop.Token);
            var done = await c.WaitQuietlyAsync(id, TimeSpan.FromMinutes(30));
            var seconds = push.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            var (refreshes, statuses) = await monitor;
            point.Rates.Add(tenants / seconds);
            if (done.GetProperty("status").GetString() != "Succeeded" || done.GetProperty("jobs").GetProperty("succeeded").GetInt32() != tenants)
            {
                throw new InvalidOperationException($"P18 push {id} ended {done}");
            }

            if (run == 0)
            {
                point.PushTablesMb = await PushTablesMbAsync(c) - tablesBefore;
            }

            point.MonitorP99s.Add(Percentile(refreshes, 99));
            point.MonitorSamples += refreshes.Count;
            statusDuring.AddRange(statuses);
            point.Statuses.Add(await StatusAsync(c, id));
            rss += $", the push {Bench.RssMb(c.Bench.Server):0} MB";
            point.Pagings.Add(await PageAllAsync(c, package, tenants));
            rss += $", the paging {Bench.RssMb(c.Bench.Server):0} MB";
            if (profile is not null)
            {
                await profile.ReportAsync();
            }

            Console.Error.WriteLine($"P18 {tenants:N0} run {run + 1}: dry run {point.DryRuns[^1]:0.00} s, create {point.Creates[^1]:0.00} s, push {tenants / seconds:N0} jobs/s, monitor p99 {point.MonitorP99s[^1]:0} ms ({refreshes.Count}), status {point.Statuses[^1]:0.0} ms, paging {point.Pagings[^1]:0.00} s; {rss}");
        }

        point.StatusDuringP99 = Percentile(statusDuring, 99);
        return point;
    }

    private static void Expect(int actual, int expected, string what)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"P18: {actual:N0} {what}, expected {expected:N0}");
        }
    }

    private static async Task<JsonElement> DeployAsync(ScenarioContext c, object body)
    {
        using var response = await c.Bench.Http.PostAsJsonAsync("/api/v1/deployments", body);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new InvalidOperationException($"POST /api/v1/deployments answered {(int)response.StatusCode}: {text[..Math.Min(text.Length, 500)]}");
    }

    /// <summary>
    /// The ops console's deployment page (wwwroot/monitor/js/pages/deployment.js) refreshing every second until stopped:
    /// the deployment with its counts, a sample of its Pending jobs and the first page of jobs. The times of whole refreshes, and of the status GET in them.
    /// </summary>
    private static async Task<(List<double> Refreshes, List<double> Statuses)> MonitorAsync(ScenarioContext c, string id, CancellationToken stop)
    {
        using var http = c.Bench.Client(c.Bench.BaseAddress, 2);
        var (refreshes, statuses) = (new List<double>(), new List<double>());
        var paths = new[] { $"/api/v1/deployments/{id}", $"/api/v1/deployments/{id}/jobs?status=Pending&limit=200", $"/api/v1/deployments/{id}/jobs?limit=100" };
        while (!stop.IsCancellationRequested)
        {
            var refresh = Stopwatch.StartNew();
            foreach (var path in paths)
            {
                var one = Stopwatch.StartNew();
                await GetAsync(http, path);
                if (path == paths[0])
                {
                    statuses.Add(one.Elapsed.TotalMilliseconds);
                }
            }

            refreshes.Add(refresh.Elapsed.TotalMilliseconds);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1) - refresh.Elapsed is { } wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (refreshes, statuses);
    }

    private static async Task GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
        }
    }

    /// <summary>The status with counts of the finished deployment: median of 5 after one warm-up.</summary>
    private static async Task<double> StatusAsync(ScenarioContext c, string id)
    {
        var times = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var watch = Stopwatch.StartNew();
            await GetAsync(c.Bench.Http, $"/api/v1/deployments/{id}");
            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return Median(times);
    }

    /// <summary>query + nextRecordsUrl over every subscriber of the package, as a REST client pages; the seconds it took.</summary>
    private static async Task<double> PageAllAsync(ScenarioContext c, string package, int expected)
    {
        using var http = c.Bench.Client(c.Bench.BaseAddress, 1);
        var watch = Stopwatch.StartNew();
        var url = "/services/data/v62.0/query?q=" + Uri.EscapeDataString($"SELECT Id, OrgKey, OrgName, OrgType, OrgStatus, InstalledStatus, MetadataPackageVersionId FROM PackageSubscriber WHERE MetadataPackageId = '{package}'");
        var rows = 0;
        while (url is not null)
        {
            using var response = await http.GetAsync(url);
            response.EnsureSuccessStatusCode();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            rows += page.RootElement.GetProperty("records").GetArrayLength();
            url = page.RootElement.GetProperty("done").GetBoolean() ? null : page.RootElement.GetProperty("nextRecordsUrl").GetString();
        }

        var seconds = watch.Elapsed.TotalSeconds;
        Expect(rows, expected, "subscribers paged");
        return seconds;
    }

    /// <summary>The push tables (push_%, with indexes and TOAST) in MB.</summary>
    private static Task<double> PushTablesMbAsync(ScenarioContext c) =>
        c.Bench.ScalarAsync<double>("SELECT coalesce(sum(pg_total_relation_size(oid)), 0) / 1048576.0 FROM pg_class WHERE relkind = 'r' AND relname LIKE 'push\\_%'");
}
