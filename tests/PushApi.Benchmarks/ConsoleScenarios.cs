using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using PushApi.Core.Deployments.Candidates;
using PushApi.Core.Push;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P15: the console's Schedule Push Upgrades page over every tenant — the candidates' first page, a filter change
/// (search + Sandbox), Select All (targets.filter) + dry run, and the deployment page's refresh (GET of a 100k
/// deployment while it runs and once finished). Times are loopback HTTP round trips (an upper bound of server time),
/// medians of the repeats after one warm-up. Baselines in the same run: raw Npgsql for a page of the package's
/// subscribers with its count, the dry run of targets.all, and the GET of a one-org deployment. The plans of the
/// candidate statements (EXPLAIN ANALYZE) are written next to the results.
/// </summary>
public static class ConsoleScenarios
{
    public static async Task<IEnumerable<Result>> ScheduleAsync(ScenarioContext c)
    {
        var version = await c.NextVersionAsync();
        await ShapeTenantsAsync(c, inactive: true);
        try
        {
            return await MeasureAsync(c, version);
        }
        finally
        {
            await ShapeTenantsAsync(c, inactive: false);
        }
    }

    private static async Task<List<Result>> MeasureAsync(ScenarioContext c, string version)
    {
        var n = c.Orgs.Count;
        var candidates = $"/api/v1/deployments/candidates?packageVersionId={version}&limit=50";
        var search = c.Orgs[n / 2][^5..];
        var filtered = candidates + "&search=" + Uri.EscapeDataString(search) + "&orgType=Sandbox";
        var first = await TimeAsync(c, () => GetAsync(c, candidates));
        var change = await TimeAsync(c, () => GetAsync(c, filtered));
        var sandboxes = await TimeAsync(c, () => GetAsync(c, candidates + "&orgType=Sandbox"));
        var raw = await TimeAsync(c, () => RawPageAsync(c));
        var selectAll = await TimeAsync(c, () => PostAsync(c, new { packageVersionId = version, dryRun = true, targets = new { filter = new { } } }));
        var all = await TimeAsync(c, () => PostAsync(c, new { packageVersionId = version, dryRun = true, targets = new { all = true } }));
        var plans = await ExplainAsync(c, version, search);

        var small = await DeployAsync(c, version, new { orgKeys = new[] { c.Orgs[0] } });
        await c.Api.WaitForAsync(small, TimeSpan.FromMinutes(2), "Succeeded", "Failed");
        var single = await TimeAsync(c, () => GetAsync(c, $"/api/v1/deployments/{small}"));
        var big = await DeployAsync(c, version, new { filter = new { }, exceptOrgKeys = new[] { c.Orgs[0] } });
        var running = await TimeAsync(c, () => GetAsync(c, $"/api/v1/deployments/{big}"));
        var status = (await c.Api.ProgressAsync(big)).GetProperty("status").GetString();
        var held = await TimeAsync(c, () => GetAsync(c, candidates));
        await ExplainAsync(c, version, null);
        await c.Api.WaitForAsync(big, TimeSpan.FromMinutes(20), "Succeeded", "Failed");
        var finished = await TimeAsync(c, () => GetAsync(c, $"/api/v1/deployments/{big}"));

        Result Line(string what, double value, double baseline, double limit, string note) =>
            new("P15", what, "ms", value, baseline, baseline > 0 ? value / baseline : null, $"<={limit:0} ms", value <= limit, note);
        return
        [
            Line($"candidates' first page (50 of {n:N0} tenants, total and hidden counts)", first, raw, 300, "baseline: raw Npgsql page of the package's subscribers plus count(*); " + plans),
            Line($"candidates after a filter change (partial name '{search}' + Sandbox)", change, raw, 300, "baseline: as above"),
            Line("candidates after a filter change (Sandbox only: a third of the tenants)", sandboxes, raw, 300, "baseline: as above"),
            Line($"candidates' first page while the {n - 1:N0}-org deployment below holds every org (all hidden)", held, raw, 300, $"status when measured: {status}; baseline: as above"),
            Line($"Select All (targets.filter) + dry run of {n:N0} tenants", selectAll, all, 3000, "baseline: dry run of targets.all"),
            Line($"deployment GET of a running {n - 1:N0}-org deployment", running, single, 200, $"status when measured: {status}; baseline: GET of a one-org deployment"),
            Line($"deployment GET of the finished {n - 1:N0}-org deployment", finished, single, 200, "baseline: GET of a one-org deployment"),
        ];
    }

    /// <summary>A third of the tenants Sandbox, one in a hundred Inactive (so the hidden counts have something to count); or back.</summary>
    private static async Task ShapeTenantsAsync(ScenarioContext c, bool inactive)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            inactive
                ? "UPDATE tenants SET org_type = CASE WHEN right(org_key, 1) IN ('1', '4', '7') THEN 'Sandbox' ELSE 'Production' END, org_status = CASE WHEN right(org_key, 2) = '42' THEN 'Inactive' ELSE 'Active' END"
                : "UPDATE tenants SET org_status = 'Active' WHERE org_status = 'Inactive'",
            connection);
        await command.ExecuteNonQueryAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE tenants", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>The median time of the repeats, after one warm-up call.</summary>
    private static async Task<double> TimeAsync(ScenarioContext c, Func<Task> call)
    {
        await call();
        var times = new List<double>();
        for (var i = 0; i < Math.Max(3, c.Options.Repeats); i++)
        {
            var watch = Stopwatch.StartNew();
            await call();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return Median(times);
    }

    private static async Task GetAsync(ScenarioContext c, string path)
    {
        using var response = await c.Bench.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {body}");
        }
    }

    private static async Task<JsonElement> PostAsync(ScenarioContext c, object body)
    {
        using var response = await c.Bench.Http.PostAsJsonAsync("/api/v1/deployments", body);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode ? answer : throw new InvalidOperationException($"deployment: {(int)response.StatusCode} {answer}");
    }

    private static async Task<string> DeployAsync(ScenarioContext c, string version, object targets) =>
        (await PostAsync(c, new { packageVersionId = version, targets })).GetProperty("id").GetString()!;

    /// <summary>The cheapest page there is: 50 subscribers of the package by org key and their count, raw Npgsql.</summary>
    private static async Task RawPageAsync(ScenarioContext c)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var page = new NpgsqlCommand(
            "SELECT t.org_key, t.org_name, t.org_type, t.org_status, i.package_version_id FROM installations i JOIN tenants t ON t.org_key = i.org_key WHERE i.package_id = $1 ORDER BY t.org_key LIMIT 50",
            connection);
        page.Parameters.Add(new NpgsqlParameter { Value = Bench.Number(c.Package) });
        await using (var reader = await page.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
            }
        }

        await using var count = new NpgsqlCommand("SELECT count(*) FROM installations WHERE package_id = $1", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = Bench.Number(c.Package) });
        await count.ExecuteScalarAsync();
    }

    /// <summary>EXPLAIN ANALYZE of the candidates' statements (no filter, and search + Sandbox), written next to the results; the file's name.</summary>
    private static async Task<string> ExplainAsync(ScenarioContext c, string version, string? search)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var target = await EligibilityFacts.LoadTargetAsync(connection, Bench.Number(version)) ?? throw new InvalidOperationException("no target version");
        var eligible = CandidateFacts.Decide(target, installs: false).Select((r, code) => (r, code)).Where(x => x.r is null).Select(x => x.code).ToArray();
        var text = new StringBuilder();
        var filters = search is null
            ? new[] { ("no filter, while a deployment holds every org", CandidateFilter.Empty) }
            : new[] { ("no filter", CandidateFilter.Empty), ($"search '{search}' + Sandbox", CandidateFilter.Parse(search, "Sandbox", null)) };
        foreach (var (name, filter) in filters)
        {
            foreach (var (kind, command) in new[] { ("count", PushCandidates.CountCommand(connection, target, filter, false)), ("page", PushCandidates.PageCommand(connection, target, filter, false, eligible, null, 51)) })
            {
                await using (command)
                {
                    command.CommandText = "EXPLAIN (ANALYZE, BUFFERS) " + command.CommandText;
                    text.AppendLine($"== {kind}, {name}");
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        text.AppendLine(reader.GetString(0));
                    }
                }
            }
        }

        var file = Path.ChangeExtension(c.Options.Output, ".p15-plans.txt");
        await (search is null ? File.AppendAllTextAsync(file, text.ToString()) : File.WriteAllTextAsync(file, text.ToString()));
        return $"plans in {Path.GetFileName(file)}";
    }
}
