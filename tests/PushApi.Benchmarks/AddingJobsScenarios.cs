using System.Diagnostics;
using System.Net.Http.Json;
using static PushApi.Benchmarks.Statistics;

namespace PushApi.Benchmarks;

/// <summary>P3: how fast push jobs are added, through Bulk API 2.0 and through sObject Tree inserts.</summary>
public static class AddingJobsScenarios
{
    /// <summary>P3: 100k org keys added through Bulk 2.0 and through 4 clients of 200-record trees; baselines: autocommit INSERT and EF SaveChanges of the same rows.</summary>
    public static async Task<IEnumerable<Result>> AddingJobsAsync(ScenarioContext c)
    {
        var bulk = new List<double>();
        var trees = new List<double>();
        for (var run = 0; run < c.Options.Repeats; run++)
        {
            var request = await c.Api.RequestAsync(c.Target);
            var profile = run == 0 ? await Profile.StartAsync(c, $"P3, a {c.Orgs.Count:N0}-row Bulk 2.0 add") : null;
            var elapsed = await c.Api.BulkAddAsync(request, c.Orgs);
            bulk.Add(c.Orgs.Count / elapsed.TotalSeconds);
            if (profile is not null)
            {
                await profile.ReportAsync();
            }

            var treeRequest = await c.Api.RequestAsync(c.Target);
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

        var autocommit = await Baselines.AutocommitInsertAsync(c);
        var ef = await Baselines.EfSaveChangesAsync(c);
        var bulkRate = Median(bulk);
        var treeRate = Median(trees);
        return
        [
            new Result("P3", "Bulk 2.0 CSV, one job", "jobs_per_s", bulkRate, autocommit, bulkRate / autocommit, ">=50000 and >=15x autocommit INSERT",
                bulkRate >= 50_000 && bulkRate / autocommit >= 15, $"EF SaveChanges {ef:0}/s: x{bulkRate / ef:0.0} (>=3)"),
            new Result("P3", "composite tree, 4 clients x 200", "jobs_per_s", treeRate, ef, treeRate / ef, ">=10000", treeRate >= 10_000, "baseline: EF SaveChanges"),
        ];
    }
}
