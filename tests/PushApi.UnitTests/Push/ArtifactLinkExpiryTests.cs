using PushApi.Core.Push.Artifacts;

namespace PushApi.UnitTests.Push;

/// <summary>An artifact link lives as long as the attempt it was sent for: In Progress, that attempt, a lease not run out.</summary>
public class ArtifactLinkExpiryTests
{
    private const string Job = "0DX000000000042AAA";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void The_link_of_the_running_attempt_under_a_live_lease_works() =>
        Assert.That(AgentArtifactDownloads.Expired(Job, 2, "In Progress", 2, Now.AddSeconds(1), Now), Is.Null);

    [Test]
    public void The_link_of_an_earlier_attempt_has_expired() =>
        Assert.That(AgentArtifactDownloads.Expired(Job, 1, "In Progress", 2, Now.AddSeconds(30), Now), Does.Contain("is on attempt 2"));

    [TestCase("Succeeded")]
    [TestCase("Failed")]
    [TestCase("Canceled")]
    [TestCase("Pending")]
    public void The_link_of_a_job_that_is_not_running_has_expired(string status) =>
        Assert.That(AgentArtifactDownloads.Expired(Job, 2, status, 2, null, Now), Does.Contain($"is {status}"));

    [Test]
    public void The_link_expires_with_the_lease()
    {
        Assert.That(AgentArtifactDownloads.Expired(Job, 2, "In Progress", 2, Now, Now), Does.Contain("ran out at 2026-12-06T12:00:00"));
        Assert.That(AgentArtifactDownloads.Expired(Job, 2, "In Progress", 2, Now.AddSeconds(-5), Now), Does.Contain("lease"));
        Assert.That(AgentArtifactDownloads.Expired(Job, 2, "In Progress", 2, null, Now), Does.Contain("lease"));
    }
}
