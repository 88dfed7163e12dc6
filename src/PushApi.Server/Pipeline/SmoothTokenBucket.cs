using System.Threading.RateLimiting;

namespace PushApi.Server.Pipeline;

/// <summary>
/// One caller's token bucket, refilled continuously rather than by a timer's ticks: it keeps only the moment at which the
/// bucket is full again (a generic cell-rate algorithm). A call takes one interval (a second over the rate) from that moment
/// and is allowed while the moment stays within <c>burst</c> intervals of now. So a caller over its rate is let through one
/// call an interval, evenly, instead of a tick's worth of calls at once (R15: another caller's p99 must not feel it), there
/// is no timer per bucket, and each call costs one compare-and-swap. The partitioned limiter drops a bucket once it has been
/// full for a while (<see cref="IdleDuration"/>).
/// </summary>
public sealed class SmoothTokenBucket : RateLimiter
{
    private static readonly RateLimitLease Granted = new Lease(true);
    private static readonly RateLimitLease Refused = new Lease(false);

    private readonly TimeProvider _clock;
    private readonly int _burst;
    private readonly long _interval;
    private readonly long _capacity;
    private long _full;
    private long _granted;
    private long _refused;

    /// <param name="perSecond">Calls a second, on average.</param>
    /// <param name="burst">Calls at once after being idle: the bucket's size.</param>
    /// <param name="clock">Time, read by its monotonic timestamp.</param>
    public SmoothTokenBucket(int perSecond, int burst, TimeProvider clock)
    {
        _clock = clock;
        _burst = Math.Max(1, burst);
        _interval = Math.Max(1, clock.TimestampFrequency / Math.Max(1, perSecond));
        _capacity = _burst * _interval;
        _full = clock.GetTimestamp();
    }

    /// <summary>How long the bucket has been full (null while it is not): the partitioned limiter drops buckets idle for long.</summary>
    public override TimeSpan? IdleDuration
    {
        get
        {
            var now = _clock.GetTimestamp();
            var full = Volatile.Read(ref _full);
            return now >= full ? _clock.GetElapsedTime(full, now) : null;
        }
    }

    public override RateLimiterStatistics GetStatistics()
    {
        var ahead = Math.Max(0, Volatile.Read(ref _full) - _clock.GetTimestamp());
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = (_capacity - ahead) / _interval,
            CurrentQueuedCount = 0,
            TotalSuccessfulLeases = Interlocked.Read(ref _granted),
            TotalFailedLeases = Interlocked.Read(ref _refused),
        };
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _burst);
        var now = _clock.GetTimestamp();
        while (true)
        {
            var full = Volatile.Read(ref _full);
            // Asking for none asks whether one would be granted, and takes nothing.
            var next = Math.Max(full, now) + (Math.Max(1, permitCount) * _interval);
            if (next - now > _capacity)
            {
                Interlocked.Increment(ref _refused);
                return Refused;
            }

            if (permitCount == 0 || Interlocked.CompareExchange(ref _full, next, full) == full)
            {
                Interlocked.Increment(ref _granted);
                return Granted;
            }
        }
    }

    /// <summary>Nothing waits: a call over the limit is refused at once, never queued.</summary>
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
