using PushApi.Core.Push.Engine;

namespace PushApi.UnitTests.Push;

public class InteractiveDemandTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    [Test]
    public void Nobody_has_waited_yet_so_the_engine_runs_at_full_speed() =>
        Assert.That(new InteractiveDemand(new TickingClock()).Busy(Quiet), Is.False);

    [Test]
    public void A_request_in_flight_keeps_it_busy_however_long_it_takes_and_the_quiet_period_counts_from_its_end()
    {
        var clock = new TickingClock();
        var demand = new InteractiveDemand(clock);
        demand.Started();
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.That(demand.Busy(Quiet), Is.True, "in flight");

        demand.Ended();
        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.That(demand.Busy(Quiet), Is.True, "ended 99 ms ago");
        clock.Advance(TimeSpan.FromMilliseconds(2));
        Assert.That(demand.Busy(Quiet), Is.False, "quiet for 101 ms");
    }

    [Test]
    public void Overlapping_requests_count_until_the_last_one_ends()
    {
        var clock = new TickingClock();
        var demand = new InteractiveDemand(clock);
        demand.Started();
        demand.Started();
        demand.Ended();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(demand.Busy(Quiet), Is.True);
        demand.Ended();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(demand.Busy(Quiet), Is.False);
    }

    [Test]
    public async Task Waiting_for_quiet_returns_at_once_when_nobody_waits_and_on_shutdown_when_someone_does()
    {
        var clock = new TickingClock();
        var demand = new InteractiveDemand(clock);
        await demand.WaitForQuietAsync(Quiet, CancellationToken.None);

        demand.Started();
        using var stopping = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await demand.WaitForQuietAsync(Quiet, stopping.Token);
        Assert.That(demand.Busy(Quiet), Is.True);
    }

    /// <summary>A clock whose timestamps the test moves by hand (its timers are the system's).</summary>
    private sealed class TickingClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
