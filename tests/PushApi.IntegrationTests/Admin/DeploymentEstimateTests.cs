using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// Run-time estimates on the real server: none before any push, this push's own rate while it runs
/// (within 25 % of the real duration), its end time once finished, and the finished push as the history
/// of the next dry run of the same kind and size. The engine is throttled (one worker, small batches)
/// so the push runs for several seconds at a steady rate, as a large push does.
/// </summary>
[NonParallelizable]
public class DeploymentEstimateTests() : ApiFixture("estimate", settings: new Dictionary<string, string?>
{
    ["PushApi:Execution:Workers"] = "1",
    ["PushApi:Execution:BatchSize"] = "2",
})
{
    private const int Tenants = 3_000;

    [Test]
    public async Task The_estimate_of_a_steady_in_platform_push_is_within_a_quarter_of_its_real_duration()
    {
        // A small push first warms the server (JIT, connection pool), so the measured push runs at one rate
        // from its start; being under 1,000 jobs, it is no history for pushes of 1,000 to 9,999.
        var warmUp = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "warmup");
        await warmUp.TenantsAsync(200);
        var warmUpId = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = warmUp.NewVersion, targets = new { all = true } }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        await warmUp.WaitForAsync(warmUpId, TimeSpan.FromMinutes(1), "Succeeded");

        var push = await PushScenario.CreateAsync(Admin, Server.ConnectionString, "estimate");
        await push.TenantsAsync(Tenants);

        var preview = await DryRunAsync(push);
        Assert.That(Estimate(preview), Is.EqualTo(((DateTimeOffset?)null, (double?)null, "none")), "no push has finished yet: nothing to go on");

        var id = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { all = true } }).ExpectAsync(HttpStatusCode.Created)).Text("id");
        var sample = await SampleWhileRunningAsync(id, fraction: 0.5);
        var (sampledEnd, sampledRate, sampledBasis) = Estimate(sample);
        Assert.That(sampledBasis, Is.EqualTo("live"));

        await push.WaitForAsync(id, TimeSpan.FromMinutes(3), "Succeeded", "Failed");
        var finished = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
        var start = finished.GetProperty("startTime").GetDateTimeOffset();
        var end = finished.GetProperty("endTime").GetDateTimeOffset();
        var real = (end - start).TotalSeconds;
        var estimated = (sampledEnd!.Value - start).TotalSeconds;
        TestContext.Out.WriteLine($"estimated {estimated:F2} s at {sampledRate} jobs/s, really {real:F2} s");
        Assert.That(real, Is.GreaterThan(3), "the push must run long enough for a rate to mean something; throttle the engine more");
        Assert.That(Math.Abs(estimated - real), Is.LessThanOrEqualTo(real * 0.25),
            $"estimated {estimated:F1} s (at {sampledRate} jobs/s, sampled at {sample.GetProperty("jobs").GetProperty("succeeded").GetInt32()} of {Tenants}), really {real:F1} s");
        Assert.That(Estimate(finished), Is.EqualTo(((DateTimeOffset?)end, (double?)Math.Round(Tenants / real, 3), "finished")));

        // The finished push is the history of the next in-platform push of fewer than 10,000 jobs.
        await push.TenantsAsync(1_500);
        var before = TimeProvider.System.GetUtcNow();
        var (expectedEnd, rate, basis) = Estimate(await DryRunAsync(push));
        Assert.That(basis, Is.EqualTo("history:in-platform/<10k (1 push)"));
        Assert.That(rate, Is.EqualTo(Tenants / real).Within(0.1).Percent);
        Assert.That(expectedEnd, Is.EqualTo(before.AddSeconds(1_500 / rate!.Value)).Within(TimeSpan.FromSeconds(5)));

        // A deployment scheduled for later is counted from its start, at the same rate.
        var later = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().AddHours(1).ToUnixTimeSeconds());
        var scheduled = (await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { all = true }, scheduledStartTime = later })
            .ExpectAsync(HttpStatusCode.Created)).Text("id");
        var waiting = Estimate(await Admin.GetAsync($"/api/v1/deployments/{scheduled}").ExpectAsync(HttpStatusCode.OK));
        Assert.That(waiting.Basis, Is.EqualTo("history:in-platform/<10k (1 push)"));
        Assert.That(waiting.ExpectedEnd, Is.EqualTo(later.AddSeconds(1_500 / rate.Value)).Within(TimeSpan.FromSeconds(1)));
        await Admin.PostAsync($"/api/v1/deployments/{scheduled}/cancel", null).ExpectAsync(HttpStatusCode.OK);
    }

    private async Task<JsonElement> DryRunAsync(PushScenario push)
    {
        var preview = await Admin.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { all = true }, dryRun = true }).ExpectAsync(HttpStatusCode.OK);
        Assert.That(preview.GetProperty("report").GetProperty("eligible").GetInt32(), Is.GreaterThan(0));
        return preview;
    }

    /// <summary>Polls the deployment until the given share of its jobs is done, and returns what it said then.</summary>
    private async Task<JsonElement> SampleWhileRunningAsync(string id, double fraction)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddMinutes(2);
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            var progress = await Admin.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
            var done = progress.GetProperty("jobs").GetProperty("succeeded").GetInt32() + progress.GetProperty("jobs").GetProperty("failed").GetInt32();
            Assert.That(progress.Text("status"), Is.AnyOf("Pending", "In Progress"), $"the push ended before {fraction:P0} of it could be sampled; throttle the engine more");
            if (progress.Text("status") == "In Progress" && done >= Tenants * fraction)
            {
                return progress;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The push did not get far enough in two minutes.");
        return default;
    }

    private static (DateTimeOffset? ExpectedEnd, double? JobsPerSecond, string Basis) Estimate(JsonElement response)
    {
        var estimate = response.GetProperty("estimate");
        var end = estimate.GetProperty("expectedEnd");
        var rate = estimate.GetProperty("jobsPerSecond");
        return (end.ValueKind == JsonValueKind.Null ? null : DateTimeOffset.Parse(end.GetString()!, CultureInfo.InvariantCulture),
            rate.ValueKind == JsonValueKind.Null ? null : rate.GetDouble(),
            estimate.Text("basis"));
    }
}
