using PushApi.IntegrationTests.Infrastructure;

namespace PushApi.IntegrationTests.Production;

/// <summary>
/// deploy/pushapi.service as docs/production.md installs it: <c>tests/ops/verify-systemd.sh</c> publishes the server into a
/// throwaway folder, renders the unit for it, has <c>systemd-analyze verify</c> check it and runs its ExecStart until
/// ready, then stops it with its KillSignal within its TimeoutStopSec.
/// </summary>
[NonParallelizable]
public class SystemdUnitTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Test]
    public async Task The_systemd_unit_verifies_and_runs_the_published_service()
    {
        if (!File.Exists("/usr/bin/systemd-analyze") && !File.Exists("/bin/systemd-analyze"))
        {
            Assert.Ignore("systemd-analyze is not installed here.");
        }

        // The configuration the tests were built in, so the publish reuses that build instead of compiling again.
        var (exitCode, output) = await ExternalProcess.RunAsync(
            "bash",
            [Path.Combine(Repository.Root, "tests", "ops", "verify-systemd.sh")],
            new Dictionary<string, string?> { ["PUSHAPI_PUBLISH_CONFIGURATION"] = Configuration },
            timeout: TimeSpan.FromMinutes(5));
        Assert.That(exitCode, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("verify-systemd: OK"));
    }
}
