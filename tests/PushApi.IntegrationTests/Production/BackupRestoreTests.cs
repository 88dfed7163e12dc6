using System.Net;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;
using PushApi.LocalPostgres;

namespace PushApi.IntegrationTests.Production;

/// <summary>
/// docs/production.md's backup and restore of the embedded cluster, step by step as an operator runs it: <c>pg_dump</c>
/// through <c>&lt;data dir&gt;/connection</c> while the service runs, then a new data directory whose service is started
/// without execution, <c>pg_restore --clean</c> into it, and the service started again finds everything.
/// </summary>
[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class BackupRestoreTests
{
    private const string Username = "admin@backup.local";
    private const string Password = "Backup-Password-1";

    [Test]
    public async Task A_dump_through_the_connection_file_restores_into_a_new_embedded_cluster()
    {
        var root = Path.Combine(Path.GetTempPath(), "pushapi-backup-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var dump = Path.Combine(root, "pushapi.dump");
        var binaries = PostgresBinaries.Locate();
        try
        {
            string packageId;
            using (var original = Start(root, "original"))
            {
                using var admin = await original.LoginAsync(Username, Password);
                var created = await admin.PostAsJsonAsync("/api/v1/packages", new { name = "Backed Up", namespacePrefix = "bkup" }).ExpectAsync(HttpStatusCode.Created);
                packageId = created.Text("id");

                var connectionFile = Path.Combine(root, "original", "connection");
                Assert.That(File.GetUnixFileMode(connectionFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "it holds the password");
                var uri = (await File.ReadAllTextAsync(connectionFile)).Trim();
                Assert.That(uri, Does.StartWith("postgresql://pushapi:").And.EndWith("/pushapi"));
                await RunAsync(Path.Combine(binaries.BinDirectory, "pg_dump"), "-Fc", "-f", dump, uri);
            }

            // The new installation: its schema and a first admin exist, nothing runs, and the restore replaces them all.
            using (var restoring = Start(root, "restored", ("PushApi__Execution__Enabled", "false")))
            {
                using var client = new HttpClient { BaseAddress = restoring.BaseAddress };
                await restoring.WaitUntilReadyAsync(client);
                var uri = (await File.ReadAllTextAsync(Path.Combine(root, "restored", "connection"))).Trim();
                await RunAsync(Path.Combine(binaries.BinDirectory, "pg_restore"), "--clean", "--if-exists", "--single-transaction", "--no-owner", "-d", uri, dump);
                restoring.StopGracefully();
            }

            using var restarted = Start(root, "restored");
            using var restoredAdmin = await restarted.LoginAsync(Username, Password);
            var package = await restoredAdmin.GetAsync($"/api/v1/packages/{packageId}").ExpectAsync(HttpStatusCode.OK);
            Assert.That(package.Text("name"), Is.EqualTo("Backed Up"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static ServerProcess Start(string root, string dataDirectory, params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PushApi__DataDirectory"] = Path.Combine(root, dataDirectory),
            ["PushApi__Bootstrap__Username"] = Username,
            ["PushApi__Bootstrap__Password"] = Password,
            ["PushApi__Scheduler__InstanceId"] = "backup-" + dataDirectory,
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        return ServerProcess.Start(root, environment);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var (exitCode, output) = await ExternalProcess.RunAsync(program, arguments, timeout: TimeSpan.FromSeconds(60));
        Assert.That(exitCode, Is.EqualTo(0), $"{Path.GetFileName(program)} failed: {output}");
    }
}
