using System.Globalization;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>
/// P18 (the issue's "P12", renamed: P12 is the package ZIP here), opt-in with <c>--scale 1m</c>: one million tenants,
/// seeded with COPY, and the deployment path measured at a tenth of them (one package installed in 100,000) and at all
/// of them (another package installed in every tenant) in the same database: the dry run of a deployment to all,
/// creating and scheduling it, its in-platform push, the monitor's deployment view while it runs, the status with
/// counts, and paging the subscribers to the end with the REST query. Each time may grow at most 11× from 100k to 1M.
/// </summary>
public static class MillionTenantsScenario
{
    private const double Growth = 11;

    public static async Task<IEnumerable<Result>> MeasureAsync(ScenarioContext c)
    {
        var size = c.Options.Scale ?? throw new InvalidOperationException("P18 runs with --scale");
        var small = size / 10;
        var (smallPackage, bigPackage) = await MillionTenantsSeed.SeedAsync(c, size, small);
        using var rss = new PeakRss(c.Bench.Server);
        var repeats = c.Options.Repeats;
        Console.Error.WriteLine($"P18: {small:N0} tenants, {repeats} repeats…");
        var low = await MillionTenantsPoint.MeasureAsync(c, smallPackage, small, repeats);
        Console.Error.WriteLine($"P18: {size:N0} tenants, {repeats} repeats…");
        var high = await MillionTenantsPoint.MeasureAsync(c, bigPackage, size, repeats);
        var database = await c.Bench.ScalarAsync<double>("SELECT pg_database_size(current_database()) / 1048576.0");
        return Rows(c, low, high, rss.Peak, database);
    }

    private static List<Result> Rows(ScenarioContext c, PointResult low, PointResult high, double peakRss, double databaseMb)
    {
        var (n, m) = (high.Tenants.ToString("N0", CultureInfo.InvariantCulture), low.Tenants.ToString("N0", CultureInfo.InvariantCulture));
        var spread = (Func<PointResult, IReadOnlyList<double>> values) =>
            $"runs at {n}: {Runs(values(high))}; at {m}: {Runs(values(low))}";
        var rows = new List<Result>
        {
            Time($"dry run of a deployment to all {n} tenants", "seconds", high.DryRun, low.DryRun, 10, "<=10 s", spread(p => p.DryRuns)),
            Time($"create + schedule that deployment ({n} jobs)", "seconds", high.Create, low.Create, 30, "<=30 s", spread(p => p.Creates)),
            Push(c, high, low, n, spread(p => p.Rates)),
            Time($"monitor's deployment view during the {n}-job push", "p99_ms", high.MonitorP99, low.MonitorP99, null, "",
                $"one refresh of the ops console's deployment page (deployment, 200 Pending jobs, first 100 jobs), every second; {high.MonitorSamples} refreshes at {n}, {low.MonitorSamples} at {m}; " + spread(p => p.MonitorP99s)),
            Time("status with counts (GET /api/v1/deployments/{id}), finished", "ms", high.Status, low.Status, null, "",
                $"median of 5 after the push; during it p99 {high.StatusDuringP99:0.0} ms at {n}, {low.StatusDuringP99:0.0} ms at {m}"),
            Time($"REST query of the {n} subscribers, paged to the end", "seconds", high.Paging, low.Paging, null, "",
                $"{high.Tenants / high.Paging:N0} rows/s; query + nextRecordsUrl, default batch; " + spread(p => p.Pagings)),
            new("P18", $"server RSS, peak over P18 ({n} tenants)", "peak_rss_mb", peakRss, null, null, "<=400 MB", peakRss > 0 && peakRss <= 400, "sampled every 200 ms"),
            new("P18", $"push tables' growth for {n} finished jobs", "mb", high.PushTablesMb, low.PushTablesMb, high.PushTablesMb / low.PushTablesMb, "reported", null,
                $"push_% tables with indexes and TOAST, before the deployment and after its push (first run); baseline: {m} jobs; whole database at the end {databaseMb:N0} MB"),
        };
        return rows;
    }

    /// <summary>A time at 1M against the same at 100k: growth at most 11×, and under <paramref name="limit"/> when there is one.</summary>
    private static Result Time(string what, string metric, double value, double baseline, double? limit, string target, string note)
    {
        var growth = value / baseline;
        var pass = growth <= Growth && (limit is not { } max || value <= max);
        return new Result("P18", what, metric, value, baseline, growth, (target.Length > 0 ? target + ", " : "") + "growth <=11x from a tenth", pass,
            "baseline: the same at a tenth of the tenants; " + note);
    }

    /// <summary>The push's jobs/s against P1's in this run (or, when P1 did not run, the push at a tenth); its time may grow at most 11×.</summary>
    private static Result Push(ScenarioContext c, PointResult high, PointResult low, string n, string spread)
    {
        var baseline = c.SingleInstanceRate > 0 ? c.SingleInstanceRate : low.Rate;
        var growth = high.Tenants / high.Rate / (low.Tenants / low.Rate);
        return new Result("P18", $"{n}-job in-platform push (deployment to all)", "jobs_per_s", high.Rate, baseline, high.Rate / baseline,
            ">= P1's jobs/s, time growth <=11x", high.Rate >= baseline && growth <= Growth,
            $"baseline: {(c.SingleInstanceRate > 0 ? "P1 in this run" : $"the push at a tenth ({low.Rate:N0} jobs/s; P1 did not run)")}; push time grew {growth:0.0}x; from the create's answer to the roll-up, the monitor polling; {spread}");
    }

    private static string Runs(IReadOnlyList<double> values) =>
        string.Join(", ", values.Select(v => v.ToString(v >= 100 ? "N0" : "0.00", CultureInfo.InvariantCulture)));

    /// <summary>The server's peak RSS while it lives (every 200 ms).</summary>
    private sealed class PeakRss : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public PeakRss(System.Diagnostics.Process server)
        {
            _task = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Peak = Math.Max(Peak, Bench.RssMb(server));
                    await Task.Delay(200);
                }
            });
        }

        public double Peak { get; private set; }

        public void Dispose()
        {
            _stop.Cancel();
            _task.Wait();
            _stop.Dispose();
        }
    }
}

/// <summary>One point of P18 (medians of the repeats, and each repeat's value for the spread).</summary>
public sealed record PointResult(int Tenants, List<double> DryRuns, List<double> Creates, List<double> Rates, List<double> Pagings, List<double> MonitorP99s, List<double> Statuses)
{
    public double DryRun => Median(DryRuns);

    public double Create => Median(Creates);

    public double Rate => Median(Rates);

    public double Paging => Median(Pagings);

    public double MonitorP99 => Median(MonitorP99s);

    public double Status => Median(Statuses);

    public double StatusDuringP99 { get; set; }

    public int MonitorSamples { get; set; }

    public double PushTablesMb { get; set; }
}
