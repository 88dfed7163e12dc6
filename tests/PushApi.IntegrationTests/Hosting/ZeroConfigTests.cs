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
        var clusterDirectory = Directory.Exists(Path.Combine(dataDirectory, "postgres", "base"))
            ? Path.Combine(dataDirectory, "postgres")
            : (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "postgres-location.txt"))).Trim();
        Assert.That(File.Exists(Path.Combine(clusterDirectory, "postmaster.pid")), Is.False, output);
        Directory.Delete(workingDirectory, recursive: true);
        if (!clusterDirectory.StartsWith(workingDirectory, StringComparison.Ordinal))
        {
            Directory.Delete(clusterDirectory, recursive: true);
        }
    }
}
