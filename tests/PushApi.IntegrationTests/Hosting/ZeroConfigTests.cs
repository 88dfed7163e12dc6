using System.Net;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Hosting;

/// <summary>The README's run command, as a new user runs it: the real server process, no configuration.</summary>
[NonParallelizable]
public class ZeroConfigTests
{
    [Test]
    public async Task With_no_configuration_the_server_creates_its_data_directory_admin_and_database_and_serves()
    {
        var workingDirectory = Path.Combine(Path.GetTempPath(), "pushapi-zero-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workingDirectory);
        var dataDirectory = Path.Combine(workingDirectory, ".pushapi");
        string output;
        using (var server = ServerProcess.Start(workingDirectory, new Dictionary<string, string?>()))
        {
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            await server.WaitUntilReadyAsync(client);

            Assert.That(Directory.Exists(Path.Combine(dataDirectory, "postgres")) || File.Exists(Path.Combine(dataDirectory, "postgres-location.txt")), Is.True, "the embedded cluster lives in the data directory");
            var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-password"))).Trim();
            Assert.That(server.Output, Does.Contain("admin@pushapi.local").And.Contain(password), "the generated credentials are printed once");

            using var token = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = "admin@pushapi.local",
                ["password"] = password,
            }));
            await token.ExpectAsync(HttpStatusCode.OK);
            server.StopGracefully();
            output = server.Output;
        }

        // A clean stop stops the embedded PostgreSQL too.
        var clusterDirectory = await ClusterDirectoryAsync(dataDirectory);
        Assert.That(File.Exists(Path.Combine(clusterDirectory, "postmaster.pid")), Is.False, output);
        Directory.Delete(workingDirectory, recursive: true);
        if (!clusterDirectory.StartsWith(workingDirectory, StringComparison.Ordinal))
        {
            Directory.Delete(clusterDirectory, recursive: true);
        }
    }

    [Test]
    public async Task After_kill_9_the_next_start_on_the_same_data_directory_reuses_the_embedded_postgres()
    {
        var workingDirectory = Path.Combine(Path.GetTempPath(), "pushapi-kill-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(workingDirectory);
        var dataDirectory = Path.Combine(workingDirectory, ".pushapi");
        try
        {
            string clusterDirectory;
            int postmaster;
            using (var first = ServerProcess.Start(workingDirectory, new Dictionary<string, string?>()))
            {
                using var client = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
                await first.WaitUntilReadyAsync(client);
                clusterDirectory = await ClusterDirectoryAsync(dataDirectory);
                postmaster = PostmasterPid(clusterDirectory);
                first.Kill();
            }

            Assert.That(PostgresIsAlive(postmaster), Is.True, "kill -9 leaves the embedded PostgreSQL running");
            using (var second = ServerProcess.Start(workingDirectory, new Dictionary<string, string?>()))
            {
                using var client = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
                await second.WaitUntilReadyAsync(client);
                Assert.That(PostmasterPid(clusterDirectory), Is.EqualTo(postmaster), "the running server was adopted, not replaced or doubled: " + second.Output);
                var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-password"))).Trim();
                using var token = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "password",
                    ["username"] = "admin@pushapi.local",
                    ["password"] = password,
                }));
                await token.ExpectAsync(HttpStatusCode.OK);
                second.StopGracefully();
            }

            Assert.That(File.Exists(Path.Combine(clusterDirectory, "postmaster.pid")), Is.False, "the adopting instance stops the server on a clean stop");
            Assert.That(await PostgresExitsAsync(postmaster), Is.True, "and its process ends");
            if (!clusterDirectory.StartsWith(workingDirectory, StringComparison.Ordinal))
            {
                Directory.Delete(clusterDirectory, recursive: true);
            }
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    private static async Task<string> ClusterDirectoryAsync(string dataDirectory) =>
        Directory.Exists(Path.Combine(dataDirectory, "postgres", "base"))
            ? Path.Combine(dataDirectory, "postgres")
            : (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "postgres-location.txt"))).Trim();

    private static int PostmasterPid(string clusterDirectory) =>
        int.Parse(File.ReadLines(Path.Combine(clusterDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether the process runs (a zombie, exited but not yet reaped by its adoptive parent, does not).</summary>
    private static bool PostgresIsAlive(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim()[0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<bool> PostgresExitsAsync(int pid)
    {
        for (var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(10); TimeProvider.System.GetUtcNow().UtcDateTime < deadline; await Task.Delay(100))
        {
            if (!PostgresIsAlive(pid))
            {
                return true;
            }
        }

        return false;
    }
}
