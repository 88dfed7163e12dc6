using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PushApi.Benchmarks;

/// <summary>One line of the results: a measured value, its baseline from the same run and the target.</summary>
public sealed record Result(string Id, string What, string Metric, double Value, double? Baseline, double? Ratio, string Target, bool? Pass, string Note = "", string? Error = null);

/// <summary>The scenarios of PERFORMANCE.md, each measured with its baseline in the same run (median of the repeats).</summary>
public static class Scenarios
{
    public static async Task<List<Result>> RunAsync(Bench bench, BenchOptions options)
    {
        var results = new List<Result>();
        var context = new Context(bench, options);
        await context.SeedAsync();
        foreach (var (id, scenario) in new (string, Func<Context, Task<IEnumerable<Result>>>)[]
        {
            ("P3", AddingJobsAsync),
            ("P1", ExecutionAsync),
            ("P2", StartLatencyAsync),
            ("P4", GetByIdAsync),
            ("P5", StatusAsync),
            ("P6", QueryPagesAsync),
            ("P7", CancelAsync),
            ("P9", TwoInstancesAsync),
        })
        {
            if (!options.Runs(id))
            {
                continue;
            }

            Console.Error.WriteLine($"{id}…");
            try
            {
                results.AddRange(await scenario(context));
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or NpgsqlException)
            {
                results.Add(new Result(id, "", "", 0, null, null, "", false, Error: e.Message));
            }
        }

        if (options.Runs("P11"))
        {
            results.Add(context.Memory());
        }

        // P10 stops the server (so nothing claims the jobs it measures with), so it runs last.
        if (options.Runs("P10"))
        {
            Console.Error.WriteLine("P10…");
            try
            {
                results.AddRange(await ClaimCostAsync(context));
            }
            catch (Exception e) when (e is InvalidOperationException or NpgsqlException)
            {
                results.Add(new Result("P10", "", "", 0, null, null, "", false, Error: e.Message));
            }
        }

        return results;
    }

    /// <summary>P3: 100k org keys added through Bulk 2.0 and through 4 clients of 200-record trees; baselines: autocommit INSERT and EF SaveChanges of the same rows.</summary>
    private static async Task<IEnumerable<Result>> AddingJobsAsync(Context c)
    {
        var bulk = new List<double>();
        var trees = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            var request = await c.Bench.RequestAsync(c.Target);
            var elapsed = await c.Bench.BulkAddAsync(request, c.Orgs);
            bulk.Add(c.Orgs.Count / elapsed.TotalSeconds);

            var treeRequest = await c.Bench.RequestAsync(c.Target);
            var watch = Stopwatch.StartNew();
            var chunks = c.Orgs.Chunk(200).ToList();
            var next = -1;
            using var client = c.Bench.Client(c.Bench.BaseAddress, 4);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < chunks.Count)
                {
                    var records = chunks[index].Select(o => new Dictionary<string, object>
                    {
                        ["attributes"] = new { type = "PackagePushJob", referenceId = o },
                        ["PackagePushRequestId"] = treeRequest,
                        ["SubscriberOrganizationKey"] = o,
                    });
                    using var response = await client.PostAsJsonAsync("/services/data/v62.0/composite/tree/PackagePushJob", new { records });
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException("tree insert failed: " + await response.Content.ReadAsStringAsync());
                    }
                }
            }));
            trees.Add(c.Orgs.Count / watch.Elapsed.TotalSeconds);
        }

        var autocommit = await BaselineAutocommitInsertAsync(c);
        var ef = await BaselineEfSaveChangesAsync(c);
        var bulkRate = Median(bulk);
        var treeRate = Median(trees);
        return
        [
            new Result("P3", "Bulk 2.0 CSV, one job", "jobs_per_s", bulkRate, autocommit, bulkRate / autocommit, ">=50000 and >=15x autocommit INSERT",
                bulkRate >= 50_000 && bulkRate / autocommit >= 15, $"EF SaveChanges {ef:0}/s: x{bulkRate / ef:0.0} (>=3)"),
            new Result("P3", "composite tree, 4 clients x 200", "jobs_per_s", treeRate, ef, treeRate / ef, ">=10000", treeRate >= 10_000, "baseline: EF SaveChanges"),
        ];
    }

    /// <summary>P1 (and P11's samples): a push of every org, in-platform, from Pending to the request's roll-up; baseline: the raw-SQL claim/complete ceiling at 50 a batch (pgbench).</summary>
    private static async Task<IEnumerable<Result>> ExecutionAsync(Context c)
    {
        var rates = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            var version = await c.NextVersionAsync();
            var request = await c.Bench.RequestAsync(version);
            await c.Bench.BulkAddAsync(request, c.Orgs);
            using var sampler = c.SampleMemory();
            var watch = Stopwatch.StartNew();
            await c.Bench.SetStatusAsync(request, "Pending");
            var done = await c.Bench.WaitForAsync(request, TimeSpan.FromMinutes(10), "Succeeded", "Failed");
            rates.Add(c.Orgs.Count / watch.Elapsed.TotalSeconds);
            c.SingleInstanceRate = Median(rates);
            if (done.GetProperty("status").GetString() != "Succeeded" || done.GetProperty("jobs").GetProperty("succeeded").GetInt32() != c.Orgs.Count)
            {
                throw new InvalidOperationException($"push {request} ended {done}");
            }

            c.AfterPush.Add(Bench.RssMb(c.Bench.Server));
        }

        var ceiling = await PgbenchClaimCeilingAsync(c);
        var rate = Median(rates);
        return [new Result("P1", $"{c.Orgs.Count:N0}-job push, in-platform", "jobs_per_s", rate, ceiling, ceiling > 0 ? rate / ceiling : null, ">=5000 and ratio>=0.15",
            rate >= 5_000 && (ceiling <= 0 || rate / ceiling >= 0.15), ceiling > 0 ? "baseline: pgbench claim+complete, 50 a transaction" : "pgbench not found: no baseline")];
    }

    /// <summary>P9: a second instance on the same database shares a push; total jobs/s against one instance (P1), no job claimed twice.</summary>
    private static async Task<IEnumerable<Result>> TwoInstancesAsync(Context c)
    {
        var (second, _) = await c.Bench.StartServerAsync();
        try
        {
            var version = await c.NextVersionAsync();
            var request = await c.Bench.RequestAsync(version);
            await c.Bench.BulkAddAsync(request, c.Orgs);
            var owners = new HashSet<string>();
            var watch = Stopwatch.StartNew();
            await c.Bench.SetStatusAsync(request, "Pending");
            var done = c.Bench.WaitForAsync(request, TimeSpan.FromMinutes(10), "Succeeded", "Failed");
            await using (var connection = new NpgsqlConnection(c.Bench.ConnectionString))
            {
                await connection.OpenAsync();
                while (!done.IsCompleted)
                {
                    await using var command = new NpgsqlCommand("SELECT DISTINCT lease_owner FROM push_jobs WHERE request_id = $1 AND status = 'In Progress' AND lease_owner IS NOT NULL", connection);
                    command.Parameters.Add(new NpgsqlParameter { Value = Bench.Number(request) });
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        owners.Add(reader.GetString(0));
                    }

                    await Task.Delay(20);
                }
            }

            var progress = await done;
            var rate = c.Orgs.Count / watch.Elapsed.TotalSeconds;
            var twice = await c.Bench.ScalarAsync<long>("SELECT count(*) FROM push_jobs WHERE request_id = $1 AND attempt > 1", Bench.Number(request));
            var succeeded = progress.GetProperty("jobs").GetProperty("succeeded").GetInt32();
            var single = c.SingleInstanceRate;
            return [new Result("P9", "two instances, one push", "jobs_per_s", rate, single, single > 0 ? rate / single : null, ">=0.9x one instance, zero duplicates",
                single > 0 && rate / single >= 0.9 && twice == 0 && succeeded == c.Orgs.Count, $"{owners.Count} instances held jobs; {twice} jobs claimed more than once; {succeeded:N0} succeeded")];
        }
        finally
        {
            Bench.Kill(second);
        }
    }

    /// <summary>
    /// P10: the claim's cost with 1M finished jobs in the table, against its cost before they were added;
    /// EXPLAIN must show the claim index and no scan over finished rows. The server is stopped first.
    /// </summary>
    private static async Task<IEnumerable<Result>> ClaimCostAsync(Context c)
    {
        Bench.Kill(c.Bench.Server);
        var request = Bench.Number(c.BigRequest ?? throw new InvalidOperationException("no big request"));
        await c.Bench.ExecuteAsync($"UPDATE push_requests SET status = 'Pending' WHERE id = {request}; UPDATE push_requests SET status = 'In Progress' WHERE id = {request}; UPDATE push_jobs SET status = 'Pending' WHERE request_id = {request} AND status = 'Created'");
        await c.Bench.ExecuteAsync("ANALYZE push_jobs");
        var before = await ClaimTimesAsync(c);
        var history = c.Options.Smoke ? 20_000 : 1_000_000;
        await c.Bench.ExecuteAsync($"""
            INSERT INTO push_requests (package_version_id, status, job_count, succeeded_count, created_at, system_modstamp)
            SELECT package_version_id, 'Succeeded', {history}, {history}, now(), now() FROM push_requests WHERE id = {request};
            INSERT INTO push_jobs (request_id, org_key, subscriber_organization_key, status, attempt, created_at, system_modstamp)
            SELECT currval(pg_get_serial_sequence('push_requests', 'id')), 'H' || g, 'H' || g, 'Succeeded', 1, now(), now() FROM generate_series(1, {history}) g;
            """);
        await c.Bench.ExecuteAsync("VACUUM ANALYZE push_jobs");
        var after = await ClaimTimesAsync(c);
        var plan = await ExplainClaimAsync(c);
        var usesIndex = plan.Contains("push_jobs_claim_in_platform", StringComparison.Ordinal);
        var scans = plan.Contains("Seq Scan on push_jobs", StringComparison.Ordinal);
        var ratio = after / before;
        return [new Result("P10", $"claim of 200 after {history:N0} finished jobs", "p99_ms", after, before, ratio, "<=2x empty-table p99; claim index, no scan of finished rows",
            ratio <= 2 && usesIndex && !scans, $"plan uses push_jobs_claim_in_platform: {(usesIndex ? "yes" : "NO")}; sequential scan of push_jobs: {(scans ? "YES" : "no")}")];
    }

    private static async Task<double> ClaimTimesAsync(Context c)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var times = new List<double>();
        for (var i = 0; i < 60; i++)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var watch = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand(Core.Push.Engine.PushJobStore.ClaimSelect(remote: false), connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = 200 });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }
            }

            times.Add(watch.Elapsed.TotalMilliseconds);
            await transaction.RollbackAsync();
        }

        return Percentile(times.Skip(10).ToList(), 99);
    }

    private static async Task<string> ExplainClaimAsync(Context c)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + Core.Push.Engine.PushJobStore.ClaimSelect(remote: false).Replace("$1", "200", StringComparison.Ordinal), connection, transaction);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        Console.Error.WriteLine("P10 claim plan:\n  " + string.Join("\n  ", lines));
        return string.Join('\n', lines);
    }

    /// <summary>P2: from Pending (no start time) to the first job In Progress, over 50 one-job requests (server timestamps).</summary>
    private static async Task<IEnumerable<Result>> StartLatencyAsync(Context c)
    {
        var count = c.Options.Smoke ? 5 : 50;
        var version = await c.NextVersionAsync();
        var latencies = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var request = await c.Bench.RequestAsync(version);
            await c.Bench.BulkAddAsync(request, [c.Orgs[i]]);
            await c.Bench.SetStatusAsync(request, "Pending");
            await c.Bench.WaitForAsync(request, TimeSpan.FromSeconds(30), "Succeeded", "Failed");
            latencies.Add(await c.Bench.ScalarAsync<double>(
                "SELECT extract(epoch FROM (min(j.start_time) - r.pending_at)) * 1000 FROM push_requests r JOIN push_jobs j ON j.request_id = r.id WHERE r.id = $1 GROUP BY r.pending_at",
                Bench.Number(request)));
        }

        var p50 = Percentile(latencies, 50);
        var p99 = Percentile(latencies, 99);
        return [new Result("P2", $"Pending -> first job In Progress ({count} requests)", "p50_ms", p50, null, null, "p50<=100 and p99<=500", p50 <= 100 && p99 <= 500, $"p99 {p99:0} ms")];
    }

    /// <summary>P4 (and P8): GET one record by id with 16 connections, against a raw-Npgsql control endpoint in its own process; then again while a push runs.</summary>
    private static async Task<IEnumerable<Result>> GetByIdAsync(Context c)
    {
        var request = await c.Bench.RequestAsync(c.Target);
        var control = await c.Bench.StartControlServerAsync();
        var api = await LoadAsync(c.Bench.Client(c.Bench.BaseAddress, 16), $"/services/data/v62.0/sobjects/PackagePushRequest/{request}", 16, c.Options.LoadDuration);
        var baseline = await LoadAsync(c.Bench.Client(control, 16), $"/control/{Bench.Number(request)}", 16, c.Options.LoadDuration);
        var results = new List<Result>
        {
            new("P4", "GET sobjects/PackagePushRequest/{id}, 16 connections", "req_per_s", api.PerSecond, baseline.PerSecond, api.PerSecond / baseline.PerSecond,
                ">=4000, p99<=15 ms, >=0.6x raw Npgsql", api.PerSecond >= 4_000 && api.P99 <= 15 && api.PerSecond / baseline.PerSecond >= 0.6, $"p99 {api.P99:0.0} ms (control {baseline.P99:0.0} ms)"),
        };

        // P8: the same GET (4 connections) idle, then while a push of every org runs.
        var idle = await LoadAsync(c.Bench.Client(c.Bench.BaseAddress, 4), $"/services/data/v62.0/sobjects/PackagePushRequest/{request}", 4, c.Options.LoadDuration);
        var version = await c.NextVersionAsync();
        var push = await c.Bench.RequestAsync(version);
        await c.Bench.BulkAddAsync(push, c.Orgs);
        await c.Bench.SetStatusAsync(push, "Pending");
        var busy = await LoadAsync(c.Bench.Client(c.Bench.BaseAddress, 4), $"/services/data/v62.0/sobjects/PackagePushRequest/{request}", 4, c.Options.LoadDuration);
        var status = (await c.Bench.ProgressAsync(push)).GetProperty("status").GetString();
        await c.Bench.WaitForAsync(push, TimeSpan.FromMinutes(10), "Succeeded", "Failed");
        results.Add(new Result("P8", "GET p99 while a push runs", "p99_ms", busy.P99, idle.P99, busy.P99 / idle.P99, "<=3x idle p99", busy.P99 <= 3 * idle.P99,
            status == "Succeeded" ? "the push ended before the load did: measure with more jobs" : $"push was {status} during the load"));
        return results;
    }

    /// <summary>P5: a 100k-job request's status with counts (maintained counters) vs a GROUP BY recount; counters must equal the recount.</summary>
    private static async Task<IEnumerable<Result>> StatusAsync(Context c)
    {
        var request = c.BigRequest ?? throw new InvalidOperationException("no big request (run P3 first)");
        var api = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var watch = Stopwatch.StartNew();
            await c.Bench.ProgressAsync(request);
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

        var progress = await c.Bench.ProgressAsync(request);
        var equal = progress.GetProperty("jobs").GetProperty("total").GetInt32() == counts.Values.Sum();
        var p99 = Percentile(api, 99);
        var ratio = Median(recount) / Median(api);
        return [new Result("P5", $"status with counts, {c.Orgs.Count:N0}-job request", "p99_ms", p99, Median(recount), ratio, "p99<=15 and >=10x faster than GROUP BY",
            p99 <= 15 && ratio >= 10 && equal, equal ? "counters == recount" : "COUNTERS DIFFER FROM THE RECOUNT")];
    }

    /// <summary>P6: a query paged with query + queryMore at 200 and 2,000 rows a page; page 500 (or the last) no slower than page 1.</summary>
    private static async Task<IEnumerable<Result>> QueryPagesAsync(Context c)
    {
        var request = c.BigRequest ?? throw new InvalidOperationException("no big request (run P3 first)");
        var results = new List<Result>();
        foreach (var size in new[] { 200, 2000 })
        {
            using var client = c.Bench.Client(c.Bench.BaseAddress, 1);
            client.DefaultRequestHeaders.Add("Sforce-Query-Options", $"batchSize={size}");
            var times = new List<double>();
            var url = "/services/data/v62.0/query?q=" + Uri.EscapeDataString($"SELECT Id, SubscriberOrganizationKey, Status FROM PackagePushJob WHERE PackagePushRequestId = '{request}'");
            while (url is not null && times.Count < 500)
            {
                var watch = Stopwatch.StartNew();
                var page = await client.GetFromJsonAsync<JsonElement>(url);
                times.Add(watch.Elapsed.TotalMilliseconds);
                url = page.TryGetProperty("nextRecordsUrl", out var next) ? next.GetString() : null;
            }

            var p99 = Percentile(times, 99);
            var first = Median(times.Take(Math.Min(5, times.Count)));
            var last = Median(times.TakeLast(Math.Min(5, times.Count)));
            var limit = size == 200 ? 50 : 250;
            results.Add(new Result("P6", $"query pages of {size} ({times.Count} pages)", "p99_ms", p99, first, last / first, $"p99<={limit}, last pages <=1.5x first",
                p99 <= limit && last / first <= 1.5, "ratio: last pages / first pages"));
        }

        return results;
    }

    /// <summary>P7: canceling a request of every org; baseline: tracked EF updates of the same number of rows.</summary>
    private static async Task<IEnumerable<Result>> CancelAsync(Context c)
    {
        var times = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            var request = await c.Bench.RequestAsync(await c.NextVersionAsync(), DateTimeOffset.UtcNow.AddYears(5));
            await c.Bench.BulkAddAsync(request, c.Orgs);
            await c.Bench.SetStatusAsync(request, "Pending");
            var watch = Stopwatch.StartNew();
            await c.Bench.SetStatusAsync(request, "Canceled");
            times.Add(watch.Elapsed.TotalSeconds);
        }

        var ef = await BaselineEfTrackedUpdatesAsync(c);
        var seconds = Median(times);
        var rate = c.Orgs.Count / seconds;
        return [new Result("P7", $"cancel a {c.Orgs.Count:N0}-job Pending request", "seconds", seconds, ef, rate / ef, "<=2 s and >=5x tracked EF updates", seconds <= 2 && rate / ef >= 5,
            $"{rate:0} jobs/s; baseline EF tracked updates {ef:0} rows/s")];
    }

    private static async Task<double> BaselineAutocommitInsertAsync(Context c)
    {
        var rows = Math.Min(c.Orgs.Count, c.Options.Smoke ? 200 : 5_000);
        await c.Bench.ExecuteAsync("DROP TABLE IF EXISTS bench_insert; CREATE TABLE bench_insert (id bigserial PRIMARY KEY, request_id bigint NOT NULL, org_key text NOT NULL, status text NOT NULL, UNIQUE (request_id, org_key))");
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < rows; i++)
        {
            await using var command = new NpgsqlCommand("INSERT INTO bench_insert (request_id, org_key, status) VALUES ($1, $2, 'Created')", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = 1L });
            command.Parameters.Add(new NpgsqlParameter { Value = c.Orgs[i] });
            await command.ExecuteNonQueryAsync();
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> BaselineEfSaveChangesAsync(Context c)
    {
        var rows = Math.Min(c.Orgs.Count, c.Options.Smoke ? 200 : 20_000);
        await c.Bench.ExecuteAsync("DROP TABLE IF EXISTS bench_ef; CREATE TABLE bench_ef (id bigserial PRIMARY KEY, request_id bigint NOT NULL, org_key text NOT NULL, status text NOT NULL, UNIQUE (request_id, org_key))");
        await using var db = new BenchDb(c.Bench.ConnectionString);
        var watch = Stopwatch.StartNew();
        db.Rows.AddRange(c.Orgs.Take(rows).Select(o => new BenchRow { RequestId = 1, OrgKey = o, Status = "Created" }));
        await db.SaveChangesAsync();
        return rows / watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> BaselineEfTrackedUpdatesAsync(Context c)
    {
        await BaselineEfSaveChangesAsync(c);
        await using var db = new BenchDb(c.Bench.ConnectionString);
        var watch = Stopwatch.StartNew();
        var rows = await db.Rows.ToListAsync();
        foreach (var row in rows)
        {
            row.Status = "Canceled";
        }

        await db.SaveChangesAsync();
        return rows.Count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The raw-SQL claim/complete ceiling: pgbench, 2 clients, 50 jobs claimed with SKIP LOCKED and completed per transaction.</summary>
    private static async Task<double> PgbenchClaimCeilingAsync(Context c)
    {
        var pgbench = Directory.GetFiles("/usr/lib/postgresql", "pgbench", SearchOption.AllDirectories).OrderDescending().FirstOrDefault();
        if (pgbench is null)
        {
            return 0;
        }

        var rows = c.Options.Smoke ? 20_000 : 2_000_000;
        await c.Bench.ExecuteAsync($"""
            DROP TABLE IF EXISTS bench_claim;
            CREATE TABLE bench_claim (id bigint PRIMARY KEY, status text NOT NULL, attempt int NOT NULL DEFAULT 0, lease_until timestamptz);
            INSERT INTO bench_claim (id, status) SELECT g, 'Pending' FROM generate_series(1, {rows}) g;
            CREATE INDEX bench_claim_pending ON bench_claim (id) WHERE status = 'Pending';
            """);
        await c.Bench.ExecuteAsync("VACUUM ANALYZE bench_claim");
        var script = Path.Combine(c.Bench.DataDirectory, "claim.sql");
        // Claim 50 (SKIP LOCKED) in one transaction, complete the same 50 in the next, as the engine does.
        await File.WriteAllTextAsync(script, """
            BEGIN;
            WITH claimed AS (SELECT id FROM bench_claim WHERE status = 'Pending' ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED),
            updated AS (UPDATE bench_claim b SET status = 'In Progress', attempt = b.attempt + 1, lease_until = now() + interval '30 s' FROM claimed WHERE b.id = claimed.id RETURNING b.id)
            SELECT coalesce(min(id), 0) AS lo, coalesce(max(id), 0) AS hi FROM updated \gset
            COMMIT;
            UPDATE bench_claim SET status = 'Succeeded', lease_until = NULL WHERE id BETWEEN :lo AND :hi AND status = 'In Progress';
            """);
        var builder = new NpgsqlConnectionStringBuilder(c.Bench.ConnectionString);
        var start = new ProcessStartInfo(pgbench) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-n", "-c", "2", "-j", "2", "-T", c.Options.Smoke ? "1" : "5", "-f", script, "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, builder.Database! })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line["tps = ".Length..].Split(' ')[0], CultureInfo.InvariantCulture) * 50;
    }

    public static async Task<(double PerSecond, double P99)> LoadAsync(HttpClient client, string url, int connections, TimeSpan duration)
    {
        using (client)
        {
            for (var i = 0; i < connections * 4; i++)
            {
                using var warm = await client.GetAsync(url);
                warm.EnsureSuccessStatusCode();
            }

            var latencies = new List<double>[connections];
            var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            var watch = Stopwatch.StartNew();
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
            var all = latencies.SelectMany(l => l).ToList();
            return (all.Count / watch.Elapsed.TotalSeconds, Percentile(all, 99));
        }
    }

    public static double Median(IEnumerable<double> values) => Percentile(values.ToList(), 50);

    public static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    /// <summary>Shared data: a package with tenants on version 1, the target version 2, and newer versions for each push.</summary>
    public sealed class Context(Bench bench, BenchOptions options)
    {
        private int _major = 2;

        public Bench Bench { get; } = bench;

        public BenchOptions Options { get; } = options;

        public string Package { get; private set; } = "";

        public string Target { get; private set; } = "";

        public List<string> Orgs { get; private set; } = [];

        /// <summary>A Created request holding a job for every org (P5, P6).</summary>
        public string? BigRequest { get; private set; }

        public List<double> AfterPush { get; } = [];

        /// <summary>P1's jobs/s with one instance, for P9.</summary>
        public double SingleInstanceRate { get; set; }

        public double PeakRss { get; private set; }

        public async Task SeedAsync()
        {
            Console.Error.WriteLine($"Seeding {Options.Jobs:N0} tenants…");
            Package = await Bench.CreatePackageAsync("Bench App");
            var first = await Bench.CreateVersionAsync(Package, 1);
            Target = await Bench.CreateVersionAsync(Package, 2);
            Orgs = await Bench.TenantsAsync(Options.Jobs, first);
            BigRequest = await Bench.RequestAsync(Target);
            await Bench.BulkAddAsync(BigRequest, Orgs);
        }

        /// <summary>A new released version above every earlier one, for the next push of every org.</summary>
        public async Task<string> NextVersionAsync() => await Bench.CreateVersionAsync(Package, ++_major + 10);

        public IDisposable SampleMemory() => new Sampler(this);

        public Result Memory()
        {
            var growth = AfterPush.Count > 1 ? AfterPush[^1] - AfterPush[0] : 0;
            return new Result("P11", "server RSS while pushing", "peak_rss_mb", PeakRss, null, null, "<=400 MB, no growth across pushes",
                PeakRss > 0 && PeakRss <= 400 && growth <= 50, $"RSS after each push: {string.Join(", ", AfterPush.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} MB");
        }

        private sealed class Sampler : IDisposable
        {
            private readonly CancellationTokenSource _stop = new();
            private readonly Task _task;

            public Sampler(Context context)
            {
                _task = Task.Run(async () =>
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        context.PeakRss = Math.Max(context.PeakRss, Bench.RssMb(context.Bench.Server));
                        await Task.Delay(100);
                    }
                });
            }

            public void Dispose()
            {
                _stop.Cancel();
                _task.Wait();
                _stop.Dispose();
            }
        }
    }

    private sealed class BenchRow
    {
        public long Id { get; set; }

        public long RequestId { get; set; }

        public string OrgKey { get; set; } = "";

        public string Status { get; set; } = "";
    }

    private sealed class BenchDb(string connectionString) : DbContext
    {
        public DbSet<BenchRow> Rows => Set<BenchRow>();

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.UseNpgsql(connectionString);

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<BenchRow>(e =>
        {
            e.ToTable("bench_ef");
            e.Property(r => r.Id).HasColumnName("id");
            e.Property(r => r.RequestId).HasColumnName("request_id");
            e.Property(r => r.OrgKey).HasColumnName("org_key");
            e.Property(r => r.Status).HasColumnName("status");
        });
    }
}
