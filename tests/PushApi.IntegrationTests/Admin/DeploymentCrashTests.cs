using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Admin;

/// <summary>
/// A deployment interrupted by a SIGKILL goes on after the restart, and its progress — what the
/// monitor polls — moves on from where it stood to 100%, never backwards.
/// </summary>
[NonParallelizable]
public class DeploymentCrashTests
{
    private const int Tenants = 600;

    [Test]
    public async Task A_deployment_cut_by_a_kill_continues_after_the_restart_and_its_progress_reaches_100_percent()
    {
        await using var agent = await FakeAgent.StartAsync();
        agent.Default = new FakeAgent.Behaviour { Delay = TimeSpan.FromMilliseconds(25) };
        var connectionString = await TestPostgres.CreateDatabaseAsync("deploycrash");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pushapi-deploycrash-" + Guid.NewGuid().ToString("N")[..8]);
        var port = ServerProcess.FreePort();
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__PushApi"] = connectionString,
            ["PushApi__DataDirectory"] = dataDirectory,
            ["PushApi__Bootstrap__Username"] = "admin@deploycrash.test",
            ["PushApi__Bootstrap__Password"] = "Password-1",
            ["PushApi__Features__MassDeployment"] = "true",
            ["PushApi__Execution__Concurrency"] = "8",
            ["PushApi__Execution__LeaseDuration"] = "00:00:04",
            ["PushApi__Execution__ReconcileInterval"] = "00:00:01",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        try
        {
            string id;
            int doneAtKill;
            using (var server = ServerProcess.Start(Path.GetTempPath(), environment, port: port))
            {
                using var client = await ClientAsync(server);
                var push = await PushScenario.CreateAsync(client, connectionString, "deploycrash");
                await push.TenantsAsync(Tenants, agent.AgentFor());
                id = (await client.PostAsJsonAsync("/api/v1/deployments", new { packageVersionId = push.NewVersion, targets = new { all = true } })
                    .ExpectAsync(HttpStatusCode.Created)).Text("id");
                var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(60);
                while ((doneAtKill = Done(await client.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK))) < 50)
                {
                    Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), "the deployment started");
                    await Task.Delay(20);
                }

                server.Kill();
            }

            TestContext.Out.WriteLine($"Killed with {doneAtKill} of {Tenants} tenants done.");
            Assert.That(doneAtKill, Is.LessThan(Tenants));
            using (var server = ServerProcess.Start(Path.GetTempPath(), environment, port: port))
            {
                using var client = await ClientAsync(server);
                var last = 0;
                var deadline = TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(120);
                while (true)
                {
                    var progress = await client.GetAsync($"/api/v1/deployments/{id}").ExpectAsync(HttpStatusCode.OK);
                    var done = Done(progress);
                    Assert.That(done, Is.GreaterThanOrEqualTo(Math.Max(last, doneAtKill)), "progress never goes backwards across the restart");
                    last = done;
                    if (progress.Text("status") is "Succeeded" or "Failed")
                    {
                        Assert.That(progress.Text("status"), Is.EqualTo("Succeeded"));
                        Assert.That((progress.GetProperty("jobs").GetProperty("succeeded").GetInt32(), progress.GetProperty("jobs").GetProperty("remaining").GetInt32()), Is.EqualTo((Tenants, 0)));
                        break;
                    }

                    Assert.That(TimeProvider.System.GetUtcNow().UtcDateTime, Is.LessThan(deadline), $"the deployment finished after the restart (at {done})");
                    await Task.Delay(100);
                }

                Assert.That(agent.CallsPerJob.Count, Is.EqualTo(Tenants), "every tenant's agent was called");
            }
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private static int Done(System.Text.Json.JsonElement progress)
    {
        var jobs = progress.GetProperty("jobs");
        return jobs.GetProperty("succeeded").GetInt32() + jobs.GetProperty("failed").GetInt32() + jobs.GetProperty("canceled").GetInt32();
    }

    private static Task<HttpClient> ClientAsync(ServerProcess server) => server.LoginAsync("admin@deploycrash.test", "Password-1");

}
