using System.Text.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Benchmarks;

/// <summary>
/// The benchmark harness, run in its smoke mode (tiny sizes, no thresholds), so it keeps working:
/// it starts its own PostgreSQL and server process, runs every scenario and writes its JSON.
/// </summary>
[NonParallelizable]
public class BenchmarkSmokeTests
{
    [Test]
    public async Task The_harness_runs_every_scenario_and_writes_its_results()
    {
        var harness = Repository.PathOf("tests", "PushApi.Benchmarks", "bin", Configuration, "net10.0", "PushApi.Benchmarks.dll");
        Assert.That(File.Exists(harness), Is.True, $"{harness} is built with the test project");
        var output = Path.Combine(Path.GetTempPath(), $"bench-smoke-{Guid.NewGuid():N}.json");
        var plot = Path.ChangeExtension(output, ".png");
        try
        {
            var (exitCode, log) = await ExternalProcess.RunAsync("dotnet", [harness, "--smoke", "--out", output, "--plot", plot], timeout: TimeSpan.FromMinutes(5));
            TestContext.Out.WriteLine(log);
            Assert.That(exitCode, Is.Zero, log);

            using var results = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            Assert.That(results.RootElement.GetProperty("machine").GetProperty("mode").GetString(), Is.EqualTo("smoke"));
            var rows = results.RootElement.GetProperty("results").EnumerateArray().ToList();
            Assert.That(rows.Select(r => r.GetProperty("id").GetString()).Distinct(),
                Is.EquivalentTo(new[] { "P1", "P1q", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11", "P12", "P13", "P15", "P16", "P17" }));
            Assert.That(rows.Where(r => r.GetProperty("error").ValueKind != JsonValueKind.Null).Select(r => r.GetProperty("error").GetString()), Is.Empty);
            Assert.That(rows.All(r => r.GetProperty("value").GetDouble() > 0), Is.True, "every scenario measured something");
            Assert.That(log, Does.Contain("id   what"), "the table is printed");

            // The comparison's documented row, and the pushes' timelines with the PNG made from them.
            Assert.That(results.RootElement.GetProperty("documented").EnumerateArray().Select(d => d.GetProperty("id").GetString()), Is.EqualTo(new[] { "P1sf" }));
            var series = results.RootElement.GetProperty("series").EnumerateArray().ToList();
            Assert.That(series.Select(s => s.GetProperty("id").GetString()).Distinct(), Is.EquivalentTo(new[] { "P1", "P8", "P9" }));
            foreach (var push in series)
            {
                var finished = push.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("jobsPerSecond").GetDouble()) * push.GetProperty("intervalSeconds").GetDouble();
                Assert.That(finished, Is.EqualTo(push.GetProperty("jobs").GetInt32()).Within(0.001), "each push's intervals add up to its jobs");
            }

            Assert.That(series.Single(s => s.GetProperty("id").GetString() == "P8").GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("apiRequests").GetInt32()), Is.GreaterThan(0));
            Assert.That((await File.ReadAllBytesAsync(plot))[..8], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "the timeline's PNG is written");
        }
        finally
        {
            File.Delete(output);
            File.Delete(plot);
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
