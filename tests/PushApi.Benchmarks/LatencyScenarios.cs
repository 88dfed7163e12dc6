using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>P2, P4 and P8, P5, P6: how long a push takes to start, and how fast single reads, status and query pages are answered.</summary>
public static class LatencyScenarios
{
    /// <summary>P2: from Pending (no start time) to the first job In Progress, over 50 one-job requests (server timestamps).</summary>
    public static async Task<IEnumerable<Result>> StartLatencyAsync(ScenarioContext c)
    {
        var count = c.Options.Smoke ? 5 : 50;
        var version = await c.NextVersionAsync();
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var request = await c.Api.RequestAsync(version);
            await c.Api.BulkAddAsync(request, [c.Orgs[i]]);
            await c.Api.SetStatusAsync(request, "Pending");
            await c.Api.WaitForAsync(request, TimeSpan.FromSeconds(30), "Succeeded", "Failed");
            latencies.Add(await c.Bench.ScalarAsync<double>(
                "SELECT extract(epoch FROM (min(j.start_time) - r.pending_at)) * 1000 FROM push_requests r JOIN push_jobs j ON j.request_id = r.id WHERE r.id = $1 GROUP BY r.pending_at",
                Bench.Number(request)));
        }

        var p50 = Percentile(latencies, 50);
        var p99 = Percentile(latencies, 99);
        return [new Result("P2", $"Pending -> first job In Progress ({count} requests)", "p50_ms", p50, null, null, "p50<=100 and p99<=500", p50 <= 100 && p99 <= 500, $"p99 {p99:0} ms")];
    }

    /// <summary>P4 (and P8): GET one record by id with 16 connections, against a raw-Npgsql control endpoint in its own process; then again while a push runs.</summary>
    public static async Task<IEnumerable<Result>> GetByIdAsync(ScenarioContext c)
    {
        var request = await c.Api.RequestAsync(c.Target);
        var control = await c.Bench.StartControlServerAsync();
        // Each side first gets the same load, unmeasured, for three times as long as it is measured. Without it, both processes
        // were still compiling their request path in the window (tier-0 and instrumented code, the JIT at 14-35 % of their CPU):
        // measured after 64 requests, P4 compared two warm-ups. Both rates settle within about 12 s of load (docs/benchmarks.md).
        var api = await LoadAsync(c.Bench.Client(c.Bench.BaseAddress, 16), $"/services/data/v62.0/sobjects/PackagePushRequest/{request}", 16, c.Options.LoadDuration, warmUp: 3 * c.Options.LoadDuration);
        var baseline = await LoadAsync(c.Bench.Client(control, 16), $"/control/{Bench.Number(request)}", 16, c.Options.LoadDuration, warmUp: 3 * c.Options.LoadDuration);
        var results = new List<Result>
        {
            new("P4", "GET sobjects/PackagePushRequest/{id}, 16 connections", "req_per_s", api.PerSecond, baseline.PerSecond, api.PerSecond / baseline.PerSecond,
                ">=4000, p99<=15 ms, >=0.8x raw Npgsql", api.PerSecond >= 4_000 && api.P99 <= 15 && api.PerSecond / baseline.PerSecond >= 0.8, $"p99 {api.P99:0.0} ms (control {baseline.P99:0.0} ms)"),
        };

        results.Add(await GetDuringPushAsync(c, $"/services/data/v62.0/sobjects/PackagePushRequest/{request}"));
        return results;
    }

    /// <summary>
    /// P8: the same GET (4 connections) idle, then while a push of every org runs: its p99 over the first load
    /// duration after Pending. The load goes on until the push ends, for the push's timeline (with interactive load).
    /// </summary>
    private static async Task<Result> GetDuringPushAsync(ScenarioContext c, string url)
    {
        var idle = await LoadAsync(c.Bench.Client(c.Bench.BaseAddress, 4), url, 4, c.Options.LoadDuration);
        var push = await c.Api.RequestAsync(await c.NextVersionAsync());
        await c.Api.BulkAddAsync(push, c.Orgs);
        var pending = TimeProvider.System.GetUtcNow();
        var origin = Stopwatch.GetTimestamp();
        await c.Api.SetStatusAsync(push, "Pending");
        var load = await InteractiveLoad.StartAsync(c.Bench.Client(c.Bench.BaseAddress, 4), url, 4, origin);
        await Task.Delay(c.Options.LoadDuration);
        var status = (await c.Api.ProgressAsync(push)).GetProperty("status").GetString();
        await c.Api.WaitForAsync(push, TimeSpan.FromMinutes(10), "Succeeded", "Failed");
        var seconds = Stopwatch.GetElapsedTime(origin).TotalSeconds;
        var gets = await load.StopAsync();
        var busy = Percentile(gets.Where(g => g.At < load.StartedAt + c.Options.LoadDuration.TotalSeconds).Select(g => g.Ms).ToList(), 99);
        c.Series.Add(new PushSeries("P8", "push + GETs on 4 connections (P8)", 1, c.Orgs.Count, true, PushTimeline.IntervalSeconds, Math.Round(seconds, 2), Math.Round(idle.P99, 2),
            await PushTimeline.ReadAsync(c.Bench, push, pending, gets)));
        return new Result("P8", "GET p99 while a push runs", "p99_ms", busy, idle.P99, busy / idle.P99, "<=2x idle p99", busy <= 2 * idle.P99,
            status == "Succeeded" ? "the push ended before the load did: measure with more jobs" : $"push was {status} during the load");
    }

    /// <summary>P5: a 100k-job request's status with counts (maintained counters) vs a GROUP BY recount; counters must equal the recount.</summary>
    public static async Task<IEnumerable<Result>> StatusAsync(ScenarioContext c)
    {
        var request = c.BigRequest ?? throw new InvalidOperationException("no big request (run P3 first)");
        var api = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var watch = Stopwatch.StartNew();
            await c.Api.ProgressAsync(request);
            api.Add(watch.Elapsed.TotalMilliseconds);
        }

        var recount = new List<double>();
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var counts = new Dictionary<string, long>();
        for (var i = 0; i < 10; i++)
        {
            var watch = Stopwatch.StartNew();
            await using var command = new NpgsqlCommand("SELECT status, count(*) FROM push_jobs WHERE request_id = $1 GROUP BY status", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = Bench.Number(request) });
            await using var reader = await command.ExecuteReaderAsync();
            counts.Clear();
            while (await reader.ReadAsync())
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }

            recount.Add(watch.Elapsed.TotalMilliseconds);
        }

        var progress = await c.Api.ProgressAsync(request);
        var equal = progress.GetProperty("jobs").GetProperty("total").GetInt32() == counts.Values.Sum();
        var p99 = Percentile(api, 99);
        var ratio = Median(recount) / Median(api);
        return [new Result("P5", $"status with counts, {c.Orgs.Count:N0}-job request", "p99_ms", p99, Median(recount), ratio, "p99<=15 and >=10x faster than GROUP BY",
            p99 <= 15 && ratio >= 10 && equal, equal ? "counters == recount" : "COUNTERS DIFFER FROM THE RECOUNT")];
    }

    /// <summary>P6: a query paged with query + queryMore at 200 and 2,000 rows a page; page 500 (or the last) no slower than page 1.</summary>
    public static async Task<IEnumerable<Result>> QueryPagesAsync(ScenarioContext c)
    {
        var request = c.BigRequest ?? throw new InvalidOperationException("no big request (run P3 first)");
        var results = new List<Result>();
        foreach (var size in new[] { 200, 2000 })
        {
            using var client = c.Bench.Client(c.Bench.BaseAddress, 1);
            client.DefaultRequestHeaders.Add("Sforce-Query-Options", $"batchSize={size}");
            await ResetStatementsAsync(c);
            var times = new List<double>();
            var started = new List<DateTimeOffset>();
            var url = "/services/data/v62.0/query?q=" + Uri.EscapeDataString($"SELECT Id, SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'");
            while (url is not null && times.Count < 500)
            {
                started.Add(TimeProvider.System.GetUtcNow());
                var watch = Stopwatch.StartNew();
                var page = await client.GetFromJsonAsync<JsonElement>(url);
                times.Add(watch.Elapsed.TotalMilliseconds);
                url = page.TryGetProperty("nextRecordsUrl", out var next) ? next.GetString() : null;
            }

            // Which pages are the slowest, and when they started (to find them in the server's and PostgreSQL's logs).
            var slowest = Enumerable.Range(0, times.Count).OrderByDescending(i => times[i]).Take(3)
                .Select(i => $"page {i + 1} {times[i]:0.0} ms at {started[i]:HH:mm:ss.fff}");
            Console.Error.WriteLine($"  P6 pages of {size}: median {Median(times):0.0} ms; slowest: {string.Join(", ", slowest)}");
            await PrintSlowStatementsAsync(c);

            var p99 = Percentile(times, 99);
            var first = Median(times.Take(Math.Min(5, times.Count)));
            var last = Median(times.TakeLast(Math.Min(5, times.Count)));
            var limit = size == 200 ? 50 : 250;
            results.Add(new Result("P6", $"query pages of {size} ({times.Count} pages)", "p99_ms", p99, first, last / first, $"p99<={limit}, last pages <=1.5x first",
                p99 <= limit && last / first <= 1.5, "ratio: last pages / first pages"));
        }

        return results;
    }

    /// <summary>
    /// With <c>--profile</c>: forgets the statement statistics, so that the next print covers one loop of pages, and has
    /// auto_explain log every statement over its threshold, not a sample (a page slow once in 50 would rarely be logged).
    /// </summary>
    private static async Task ResetStatementsAsync(ScenarioContext c)
    {
        if (c.Options.Profile)
        {
            await ExecuteAsync(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();");
            await ExecuteAsync(c, "ALTER SYSTEM SET auto_explain.sample_rate = 1");
            await ExecuteAsync(c, "SELECT pg_reload_conf()");
        }
    }

    private static async Task ExecuteAsync(ScenarioContext c, string sql)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>With <c>--profile</c>: the statements whose slowest call took over 20 ms since the reset (is a slow page the database's?).</summary>
    private static async Task PrintSlowStatementsAsync(ScenarioContext c)
    {
        if (!c.Options.Profile)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT calls, max_exec_time, mean_exec_time, left(regexp_replace(query, '\s+', ' ', 'g'), 140)
            FROM pg_stat_statements WHERE max_exec_time > 20 AND query NOT LIKE '%pg_stat_statements%'
            ORDER BY max_exec_time DESC LIMIT 8
            """, connection);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                Console.Error.WriteLine($"    {reader.GetInt64(0)} calls, max {reader.GetDouble(1):0.0} ms, mean {reader.GetDouble(2):0.0} ms: {reader.GetString(3)}");
            }
        }

        await ExecuteAsync(c, "ALTER SYSTEM RESET auto_explain.sample_rate");
        await ExecuteAsync(c, "SELECT pg_reload_conf()");
        var plans = Path.ChangeExtension(Path.GetFullPath(c.Options.Output), ".p6-plans.log");
        File.Copy(Path.Combine(c.Bench.Postgres.ClusterDirectory, "log", "server.log"), plans, overwrite: true);
        Console.Error.WriteLine($"    auto_explain's plans (every statement over 20 ms during P6): {plans}");
    }

    /// <summary>
    /// GETs <paramref name="url"/> on <paramref name="connections"/> connections for <paramref name="duration"/>: requests a second
    /// and the p99 in ms. After 4 requests a connection, <paramref name="warmUp"/> of the same load goes unmeasured first.
    /// </summary>
    public static async Task<(double PerSecond, double P99)> LoadAsync(HttpClient client, string url, int connections, TimeSpan duration, TimeSpan warmUp = default)
    {
        using (client)
        {
            for (var i = 0; i < connections * 4; i++)
            {
                using var warm = await client.GetAsync(url);
                warm.EnsureSuccessStatusCode();
            }

            // The warm-up in slices of a quarter of it, each slice's rate shown: whether the rate has settled is in the log.
            var rates = new List<string>();
            for (var slice = 0; slice < 4 && warmUp > TimeSpan.Zero; slice++)
            {
                var warming = Stopwatch.StartNew();
                var done = await GetForAsync(client, url, connections, warmUp / 4);
                rates.Add((done.Count / warming.Elapsed.TotalSeconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture));
            }

            if (rates.Count > 0)
            {
                Console.Error.WriteLine($"  warm-up of {url} ({warmUp.TotalSeconds:0} s): {string.Join(", ", rates)} req/s");
            }

            var watch = Stopwatch.StartNew();
            var all = await GetForAsync(client, url, connections, duration);
            return (all.Count / watch.Elapsed.TotalSeconds, Percentile(all, 99));
        }
    }

    /// <summary>Each connection GETs <paramref name="url"/> one request after another for <paramref name="duration"/>; every latency in ms.</summary>
    private static async Task<List<double>> GetForAsync(HttpClient client, string url, int connections, TimeSpan duration)
    {
        var latencies = new List<double>[connections];
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async n =>
        {
            latencies[n] = [];
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
                response.EnsureSuccessStatusCode();
                latencies[n].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        return latencies.SelectMany(l => l).ToList();
    }
}
