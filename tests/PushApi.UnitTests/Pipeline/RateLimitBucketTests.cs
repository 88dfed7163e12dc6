using PushApi.Server.Pipeline;

namespace PushApi.UnitTests.Pipeline;

public class RateLimitBucketTests
{
    [TestCase(200, 20, 100, 20)]
    [TestCase(5000, 10_000, 100, 500)]
    [TestCase(15, 5, 200, 3)]
    [TestCase(1, 5, 1000, 1)]
    [TestCase(4, 5, 500, 2)]
    [TestCase(7, 5, 1000, 7)]
    public void The_bucket_refills_in_tenths_of_a_second_at_exactly_the_configured_rate(int perSecond, int burst, int periodMs, int tokensPerPeriod)
    {
        var bucket = new RateLimitOptions { RequestsPerSecond = perSecond, Burst = burst }.Bucket();

        Assert.That(bucket.ReplenishmentPeriod, Is.EqualTo(TimeSpan.FromMilliseconds(periodMs)));
        Assert.That(bucket.TokensPerPeriod, Is.EqualTo(tokensPerPeriod));
        Assert.That(bucket.TokenLimit, Is.EqualTo(burst), "the burst is the bucket's size, whatever the rate");
        Assert.That(bucket.QueueLimit, Is.Zero, "a call over the limit is refused, never queued");
    }
}
