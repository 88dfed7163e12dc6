using System.Diagnostics;
using Npgsql;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>P9 and P10: a second server instance on the same database, and the claim with a large history of finished jobs.</summary>
public static class ScaleScenarios
{
    /// <summary>
    /// P9: a second instance on the same database shares a push; total jobs/s against one instance (P1), the median of
    /// <see cref="BenchOptions.Repeats"/> pushes as P1's is (the second instance starts once, so, like P1's server, it is
    /// cold only for the first). Each instance's own count of the jobs it ran (<c>pushapi_push_jobs_completed_total</c>
    /// on its <c>/metrics</c>) shows that both took part and that together they ran every job once; the database shows
    /// that no job was claimed twice; every push must pass all of it. (Watching the lease owners in the table every 20 ms,
    /// as this scenario first did, cost PostgreSQL as much CPU as the push itself.) With <c>--profile</c>, one push by the
    /// first instance alone comes first, on the same table: it tells the table's state from the second instance's effect.
    /// </summary>
    public static async Task<IEnumerable<Result>> TwoInstancesAsync(ScenarioContext c)
    {
        var alone = c.Options.Profile ? $"; one instance alone just before, same table: {c.Orgs.Count / (await OnePushAsync(c, null, 0)).Seconds:N0} jobs/s" : "";
        var (second, secondAddress) = await c.Bench.StartServerAsync();
        try
        {
            using var secondClient = c.Bench.Client(secondAddress, 2);
            var runs = new List<(double Rate, long First, long Second, long Twice, int Succeeded)>();
            for (var run = 0; run < c.Options.Repeats; run++)
            {
                var before = (await CompletedJobsAsync(c.Bench.Http), await CompletedJobsAsync(secondClient));
                var (seconds, twice, succeeded) = await OnePushAsync(c, run == 0 ? second.Id : null, run + 1);
                runs.Add((c.Orgs.Count / seconds, await CompletedJobsAsync(c.Bench.Http) - before.Item1, await CompletedJobsAsync(secondClient) - before.Item2, twice, succeeded));
            }

            var rate = Median(runs.Select(r => r.Rate).ToList());
            var single = c.SingleInstanceRate;
            var correct = runs.All(r => r.Twice == 0 && r.Succeeded == c.Orgs.Count && r.First > 0 && r.Second > 0 && r.First + r.Second == c.Orgs.Count);
            return [new Result("P9", "two instances, one push", "jobs_per_s", rate, single, single > 0 ? rate / single : null, ">=0.9x one instance, zero duplicates",
                single > 0 && rate / single >= 0.9 && correct,
                $"runs {string.Join(", ", runs.Select(r => $"{r.Rate:N0}"))} jobs/s; jobs run by the instances: {string.Join(", ", runs.Select(r => $"{r.First:N0} + {r.Second:N0}"))}; "
                + $"{runs.Sum(r => r.Twice)} jobs claimed more than once; {string.Join(", ", runs.Select(r => $"{r.Succeeded:N0}"))} succeeded{alone}")];
        }
        finally
        {
            Bench.Kill(second);
        }
    }

    /// <summary>
    /// One push of every org from Pending to its roll-up: its seconds, its jobs claimed more than once and its successes.
    /// Run 0 is the first instance alone; <paramref name="secondInstance"/> is the second's process on the profiled run.
    /// </summary>
    private static async Task<(double Seconds, long Twice, int Succeeded)> OnePushAsync(ScenarioContext c, int? secondInstance, int run)
    {
        var request = await c.Api.RequestAsync(await c.NextVersionAsync());
        await c.Api.BulkAddAsync(request, c.Orgs);
        var profile = run <= 1 ? await Profile.StartAsync(c, run == 0 ? $"P9, a {c.Orgs.Count:N0}-job push on one instance, before P9's" : $"P9, a {c.Orgs.Count:N0}-job push on two instances",
            secondInstance is { } pid ? [pid] : []) : null;
        var pending = TimeProvider.System.GetUtcNow();
        var watch = Stopwatch.StartNew();
        await c.Api.SetStatusAsync(request, "Pending");
        var progress = await c.WaitQuietlyAsync(request, TimeSpan.FromMinutes(10));
        var seconds = watch.Elapsed.TotalSeconds;
        if (profile is not null)
        {
            await profile.ReportAsync();
        }

        var twice = await c.Bench.ScalarAsync<long>("SELECT count(*) FROM push_jobs WHERE request_id = $1 AND attempt > 1", Bench.Number(request));
        // The push over time (the JSON's series; the plot draws P1 and P8 only): where a slow push lost its time.
        c.Series.Add(new PushSeries(run == 0 ? "P9-one" : "P9", run == 0 ? "one instance before P9" : $"push on two instances (P9, run {run})", Math.Max(run, 1), c.Orgs.Count, false,
            PushTimeline.IntervalSeconds, Math.Round(seconds, 2), null, await PushTimeline.ReadAsync(c.Bench, request, pending)));
        return (seconds, twice, progress.GetProperty("jobs").GetProperty("succeeded").GetInt32());
    }

    /// <summary>The jobs an instance has run to an end since it started, from its own <c>/metrics</c>.</summary>
    private static async Task<long> CompletedJobsAsync(HttpClient instance)
    {
        var text = await instance.GetStringAsync("/metrics");
        return (long)text.Split('\n').Where(line => line.StartsWith("pushapi_push_jobs_completed_total{", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// P10: the claim's cost with 1M finished jobs in the table, against its cost before they were added;
    /// EXPLAIN must show the claim index and no scan over finished rows. The server is stopped first.
    /// </summary>
    public static async Task<IEnumerable<Result>> ClaimCostAsync(ScenarioContext c)
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
        var ratio = after.P99 / before.P99;
        return [new Result("P10", $"claim of 200 after {history:N0} finished jobs", "p99_ms", after.P99, before.P99, ratio, "<=2x empty-table p99; claim index, no scan of finished rows",
            ratio <= 2 && usesIndex && !scans, $"p50 {before.P50:0.00} ms before, {after.P50:0.00} ms after; plan uses push_jobs_claim_in_platform: {(usesIndex ? "yes" : "NO")}; sequential scan of push_jobs: {(scans ? "YES" : "no")}")];
    }

    /// <summary>
    /// The claim's p50 and p99 over 1,000 claims (after 50 unmeasured), each rolled back, with the table checkpointed first so
    /// the write-back of what came before is not measured. (With 50 claims, the p99 was the slowest one: 0.7 ms before and
    /// 2.8-4.1 ms after, while the p50 stayed 0.4 ms.)
    /// </summary>
    private static async Task<(double P50, double P99)> ClaimTimesAsync(ScenarioContext c)
    {
        await c.Bench.ExecuteAsync("CHECKPOINT");
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        var times = new List<double>();
        for (var i = 0; i < 1_050; i++)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var watch = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand(Core.Push.Status.JobStatusChanges.ClaimSelect(remote: false), connection, transaction))
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

        var measured = times.Skip(50).ToList();
        return (Percentile(measured, 50), Percentile(measured, 99));
    }

    private static async Task<string> ExplainClaimAsync(ScenarioContext c)
    {
        await using var connection = new NpgsqlConnection(c.Bench.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + Core.Push.Status.JobStatusChanges.ClaimSelect(remote: false).Replace("$1", "200", StringComparison.Ordinal), connection, transaction);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        Console.Error.WriteLine("P10 claim plan:\n  " + string.Join("\n  ", lines));
        return string.Join('\n', lines);
    }

}
