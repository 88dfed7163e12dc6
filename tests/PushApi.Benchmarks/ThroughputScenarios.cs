using System.Diagnostics;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>P1 and P7: jobs a second when a push of every org runs, and when it is canceled.</summary>
public static class ThroughputScenarios
{
    /// <summary>P1 (and P11's samples): a push of every org, in-platform, from Pending to the request's roll-up; baseline: the raw-SQL claim/complete ceiling at 50 a batch (pgbench).</summary>
    public static async Task<IEnumerable<Result>> ExecutionAsync(ScenarioContext c)
    {
        var rates = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            var version = await c.NextVersionAsync();
            var request = await c.Api.RequestAsync(version);
            await c.Api.BulkAddAsync(request, c.Orgs);
            using var sampler = c.SampleMemory();
            var profile = run == 0 ? await Profile.StartAsync(c, $"P1, a {c.Orgs.Count:N0}-job push") : null;
            var pending = TimeProvider.System.GetUtcNow();
            var watch = Stopwatch.StartNew();
            await c.Api.SetStatusAsync(request, "Pending");
            var done = await c.WaitQuietlyAsync(request, TimeSpan.FromMinutes(10));
            var seconds = watch.Elapsed.TotalSeconds;
            rates.Add(c.Orgs.Count / seconds);
            if (profile is not null)
            {
                await profile.ReportAsync();
            }

            c.SingleInstanceRate = Median(rates);
            if (done.GetProperty("status").GetString() != "Succeeded" || done.GetProperty("jobs").GetProperty("succeeded").GetInt32() != c.Orgs.Count)
            {
                throw new InvalidOperationException($"push {request} ended {done}");
            }

            c.AfterPush.Add(Bench.RssMb(c.Bench.Server));
            c.Series.Add(new PushSeries("P1", $"push alone (P1, run {run + 1})", run + 1, c.Orgs.Count, false, PushTimeline.IntervalSeconds, Math.Round(seconds, 2), null,
                await PushTimeline.ReadAsync(c.Bench, request, pending)));
        }

        var ceiling = await Baselines.PgbenchClaimCeilingAsync(c);
        var rate = Median(rates);
        return [new Result("P1", $"{c.Orgs.Count:N0}-job push, in-platform", "jobs_per_s", rate, ceiling, ceiling > 0 ? rate / ceiling : null, ">=10000 and ratio>=0.30",
            rate >= 10_000 && (ceiling <= 0 || rate / ceiling >= 0.30), ceiling > 0 ? "baseline: pgbench claim+complete, 50 a transaction" : "pgbench not found: no baseline")];
    }

    /// <summary>P7: canceling a request of every org; baseline: tracked EF updates of the same number of rows.</summary>
    public static async Task<IEnumerable<Result>> CancelAsync(ScenarioContext c)
    {
        var times = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            var request = await c.Api.RequestAsync(await c.NextVersionAsync(), TimeProvider.System.GetUtcNow().AddYears(5));
            await c.Api.BulkAddAsync(request, c.Orgs);
            await c.Api.SetStatusAsync(request, "Pending");
            var profile = run == 0 ? await Profile.StartAsync(c, $"P7, canceling a {c.Orgs.Count:N0}-job Pending request") : null;
            var watch = Stopwatch.StartNew();
            await c.Api.SetStatusAsync(request, "Canceled");
            times.Add(watch.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"P7 run {run + 1}: {times[^1]:0.000} s");
            if (profile is not null)
            {
                await profile.ReportAsync();
            }
        }

        var ef = await Baselines.EfTrackedUpdatesAsync(c);
        var seconds = Median(times);
        var rate = c.Orgs.Count / seconds;
        return [new Result("P7", $"cancel a {c.Orgs.Count:N0}-job Pending request", "seconds", seconds, ef, rate / ef, "<=2 s and >=5x tracked EF updates", seconds <= 2 && rate / ef >= 5,
            $"{rate:0} jobs/s; baseline EF tracked updates {ef:0} rows/s")];
    }
}
