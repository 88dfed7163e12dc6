using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

/// <summary>The real server with its embedded PostgreSQL, whose postmaster is killed under it.</summary>
[NonParallelizable]
public class EmbeddedPostgresSupervisionTests
{
    [Test]
    public async Task When_the_embedded_postmaster_is_killed_the_service_restarts_it_and_serves_again_within_15_s_with_nothing_lost()
    {
        var workingDirectory = Path.Combine(Path.GetTempPath(), "pushapi-pgkill-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workingDirectory);
        var dataDirectory = Path.Combine(workingDirectory, ".pushapi");
        string? clusterDirectory = null;
        try
        {
            using var server = ServerProcess.Start(workingDirectory, new Dictionary<string, string?>
            {
                ["PushApi__Bootstrap__Username"] = "admin@pgkill.test",
                ["PushApi__Bootstrap__Password"] = "Password-1",
            });
            using var client = await server.LoginAsync("admin@pgkill.test", "Password-1", TimeSpan.FromSeconds(5));
            var package = (await client.PostAsJsonAsync("/api/v1/packages", new { name = "Written before the kill", namespacePrefix = "pgkill" }).ExpectAsync(HttpStatusCode.Created)).Text("id");

            clusterDirectory = Directory.Exists(Path.Combine(dataDirectory, "postgres", "base"))
                ? Path.Combine(dataDirectory, "postgres")
                : (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "postgres-location.txt"))).Trim();
            var postmaster = int.Parse(File.ReadLines(Path.Combine(clusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", postmaster.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            var killed = TimeProvider.System.GetUtcNow().UtcDateTime;
            var sawNotReady = false;
            TimeSpan? servedAgain = null;
            while (TimeProvider.System.GetUtcNow().UtcDateTime - killed < TimeSpan.FromSeconds(15))
            {
                try
                {
                    using var ready = await client.GetAsync("/health/ready");
                    sawNotReady |= ready.StatusCode == HttpStatusCode.ServiceUnavailable;
                    using var read = await client.GetAsync($"/api/v1/packages/{package}");
                    if (ready.IsSuccessStatusCode && read.IsSuccessStatusCode)
                    {
                        servedAgain = TimeProvider.System.GetUtcNow().UtcDateTime - killed;
                        Assert.That((await read.Content.ReadAsStringAsync()), Does.Contain("Written before the kill"), "the package written before the kill is still there");
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }

                await Task.Delay(200);
            }

            TestContext.Out.WriteLine($"Serving again {servedAgain?.TotalSeconds:0.0} s after the postmaster was killed; readiness said not-ready in between: {sawNotReady}.");
            Assert.That(servedAgain, Is.Not.Null, "the service serves again within 15 s: " + server.Output);
            Assert.That(sawNotReady, Is.True, "readiness answered not-ready while the database was down");
            Assert.That(server.Output, Does.Contain("starting it again"), "the restart is logged");
            Assert.That(int.Parse(File.ReadLines(Path.Combine(clusterDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture), Is.Not.EqualTo(postmaster), "a new postmaster runs");

            (await client.PostAsJsonAsync("/api/v1/packages", new { name = "Written after the restart", namespacePrefix = "pgkill2" })).EnsureSuccessStatusCode();
            server.StopGracefully();
            Assert.That(File.Exists(Path.Combine(clusterDirectory, "postmaster.pid")), Is.False, "a clean stop stops the restarted PostgreSQL too: " + server.Output);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
            if (clusterDirectory is not null && !clusterDirectory.StartsWith(workingDirectory, StringComparison.Ordinal) && Directory.Exists(clusterDirectory))
            {
                Directory.Delete(clusterDirectory, recursive: true);
            }
        }
    }
}
