using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        var port = FreePort();
        var serverDll = typeof(Program).Assembly.Location;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(serverDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var variable in new[] { "ConnectionStrings__PushApi", "PushApi__DataDirectory", "PushApi__Bootstrap__Username", "PushApi__Bootstrap__Password", "ASPNETCORE_URLS" })
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var dataDirectory = Path.Combine(workingDirectory, ".pushapi");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            await WaitUntilReadyAsync(client, process, output);

            Assert.That(Directory.Exists(Path.Combine(dataDirectory, "postgres")) || File.Exists(Path.Combine(dataDirectory, "postgres-location.txt")), Is.True, "the embedded cluster lives in the data directory");
            var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-password"))).Trim();
            Assert.That(string.Join("\n", output), Does.Contain("admin@pushapi.local").And.Contain(password), "the generated credentials are printed once");

            using var token = await client.PostAsync("/services/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = "admin@pushapi.local",
                ["password"] = password,
            }));
            await token.ExpectAsync(HttpStatusCode.OK);
        }
        finally
        {
            StopGracefully(process);
        }

        // A clean stop stops the embedded PostgreSQL too.
        var clusterDirectory = Directory.Exists(Path.Combine(dataDirectory, "postgres", "base"))
            ? Path.Combine(dataDirectory, "postgres")
            : (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "postgres-location.txt"))).Trim();
        Assert.That(File.Exists(Path.Combine(clusterDirectory, "postmaster.pid")), Is.False, string.Join("\n", output));
        Directory.Delete(workingDirectory, recursive: true);
        if (!clusterDirectory.StartsWith(workingDirectory, StringComparison.Ordinal))
        {
            Directory.Delete(clusterDirectory, recursive: true);
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient client, Process process, IEnumerable<string> output)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.That(process.HasExited, Is.False, "the server exited: " + string.Join("\n", output));
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        Assert.Fail("the server did not become ready: " + string.Join("\n", output));
    }

    private static void StopGracefully(Process process)
    {
        if (process.HasExited)
        {
            return;
        }

        // SIGTERM, as a service manager or Ctrl+C would stop it.
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
