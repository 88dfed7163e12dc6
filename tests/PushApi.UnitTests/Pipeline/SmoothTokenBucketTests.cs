using PushApi.Server.Pipeline;

namespace PushApi.UnitTests.Pipeline;

/// <summary>The per-caller bucket: the burst at once, then exactly the configured rate, evenly, and never more.</summary>
public class SmoothTokenBucketTests
{
    [TestCase(200, 20)]
    [TestCase(5000, 10_000)]
    [TestCase(7, 5)]
    [TestCase(1, 1)]
    public void A_fresh_bucket_grants_the_burst_at_once_then_refuses(int perSecond, int burst)
    {
        var clock = new SteppedClock();
        using var bucket = new RateLimitOptions { RequestsPerSecond = perSecond, Burst = burst }.NewBucket(clock);

        var granted = Enumerable.Range(0, burst + 5).Count(_ => Acquire(bucket));

        Assert.That(granted, Is.EqualTo(burst));
    }

    [TestCase(200, 20)]
    [TestCase(15, 5)]
    [TestCase(7, 5)]
    [TestCase(4, 5)]
    public void A_caller_far_over_its_rate_gets_exactly_the_rate_over_ten_seconds(int perSecond, int burst)
    {
        var clock = new SteppedClock();
        using var bucket = new RateLimitOptions { RequestsPerSecond = perSecond, Burst = burst }.NewBucket(clock);

        // Ten calls every millisecond for ten seconds: far more than any rate here.
        var granted = 0;
        for (var ms = 0; ms < 10_000; ms++)
        {
            granted += Enumerable.Range(0, 10).Count(_ => Acquire(bucket));
            clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.That(granted, Is.InRange(burst + (10 * perSecond) - 1, burst + (10 * perSecond)), "the burst, then the rate: no more, hardly less");
    }

    [Test]
    public void Over_its_rate_a_caller_is_let_through_one_call_an_interval_never_in_clumps()
    {
        var clock = new SteppedClock();
        using var bucket = new RateLimitOptions { RequestsPerSecond = 200, Burst = 20 }.NewBucket(clock);
        while (Acquire(bucket))
        {
        }

        // A tick-based bucket of 20 calls a tenth of a second would let 20 through in the first millisecond of each tenth.
        var grantsPerMillisecond = new List<int>();
        for (var ms = 0; ms < 1_000; ms++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            grantsPerMillisecond.Add(Enumerable.Range(0, 50).Count(_ => Acquire(bucket)));
        }

        Assert.That(grantsPerMillisecond.Max(), Is.EqualTo(1));
        Assert.That(grantsPerMillisecond.Sum(), Is.EqualTo(200));
    }

    [Test]
    public void A_caller_inside_its_rate_is_never_refused_and_the_bucket_reports_when_it_is_idle()
    {
        var clock = new SteppedClock();
        using var bucket = new RateLimitOptions { RequestsPerSecond = 200, Burst = 20 }.NewBucket(clock);

        for (var i = 0; i < 1_000; i++)
        {
            Assert.That(Acquire(bucket), Is.True, $"call {i} at 100 calls/s");
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.That(bucket.IdleDuration, Is.Not.Null, "at half its rate the bucket refills between calls");
        for (var i = 0; i < 20; i++)
        {
            Acquire(bucket);
        }

        Assert.That(bucket.IdleDuration, Is.Null, "a bucket that is not full is not idle: dropping it would forgive the caller");
        Assert.That(bucket.GetStatistics()!.CurrentAvailablePermits, Is.Zero);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(bucket.IdleDuration, Is.EqualTo(TimeSpan.FromMilliseconds(1_900)));
        Assert.That(bucket.GetStatistics()!.CurrentAvailablePermits, Is.EqualTo(20));
    }

    private static bool Acquire(System.Threading.RateLimiting.RateLimiter bucket)
    {
        using var lease = bucket.AttemptAcquire();
        return lease.IsAcquired;
    }

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
