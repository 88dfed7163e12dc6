using Npgsql;

namespace PushApi.Benchmarks;

/// <summary>One line of the results: a measured value, its baseline from the same run and the target.</summary>
public sealed record Result(string Id, string What, string Metric, double Value, double? Baseline, double? Ratio, string Target, bool? Pass, string Note = "", string? Error = null);

/// <summary>What a run produced: the table's measured rows, its documented (text) rows, and the pushes' timelines.</summary>
public sealed record BenchRun(List<Result> Results, List<Documented> Documented, List<PushSeries> Series);

/// <summary>The scenarios of docs/performance.md, each measured with its baseline in the same run (median of the repeats).</summary>
public static class Scenarios
{
    public static async Task<BenchRun> RunAsync(Bench bench, BenchOptions options)
    {
        var results = new List<Result>();
        var context = new ScenarioContext(bench, options);
        // P16 and P18 seed their own million subscribers, P17 needs only a package version (it brings its own server and users)
        // and P1q only its own database: a run of those alone seeds no tenants.
        await context.SeedAsync(tenants: options.Only is null || options.Only.Except(["P16", "P17", "P18", "P1Q"]).Any());

        foreach (var (id, scenario) in new (string, Func<ScenarioContext, Task<IEnumerable<Result>>>)[]
        {
            ("P3", AddingJobsScenarios.AddingJobsAsync),
            ("P1", ThroughputScenarios.ExecutionAsync),
            ("P1q", QuartzComparison.OneTriggerPerJobAsync),
            ("P2", LatencyScenarios.StartLatencyAsync),
            ("P4", LatencyScenarios.GetByIdAsync),
            ("P5", LatencyScenarios.StatusAsync),
            ("P6", LatencyScenarios.QueryPagesAsync),
            ("P7", ThroughputScenarios.CancelAsync),
            ("P9", ScaleScenarios.TwoInstancesAsync),
            ("P12", PackageScenarios.DistributionAsync),
            ("P13", InstallScenarios.UpgradeAsync),
            ("P15", ConsoleScenarios.ScheduleAsync),
            ("P16", BulkQueryScenarios.QueryAsync),
            ("P17", RateLimitScenarios.IsolationAsync),
            ("P18", MillionTenantsScenario.MeasureAsync),
        })
        {
            // P18 (one million tenants) is opt-in: it runs only with --scale.
            if (id == "P18" && options.Scale is null)
            {
                continue;
            }

            // P8 is measured with P4 (the same GET, idle and during a push): --only P8 runs that scenario too.
            if (!options.Runs(id) && !(id == "P4" && options.Runs("P8")))
            {
                continue;
            }

            Console.Error.WriteLine($"{id}…");
            try
            {
                results.AddRange(await scenario(context));
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or NpgsqlException or System.Text.Json.JsonException)
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
                results.AddRange(await ScaleScenarios.ClaimCostAsync(context));
            }
            catch (Exception e) when (e is InvalidOperationException or NpgsqlException)
            {
                results.Add(new Result("P10", "", "", 0, null, null, "", false, Error: e.Message));
            }
        }

        var documented = options.Runs("P1") || options.Runs("P1q") ? new List<Documented> { QuartzComparison.Salesforce } : [];
        return new BenchRun(results, documented, context.Series);
    }
}
