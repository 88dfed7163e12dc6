using System.Collections.Concurrent;
using System.Threading.Channels;

namespace PushApi.Core.Push.Engine;

/// <summary>
/// The remote queue's state while it runs: agent slots, the jobs in flight (whose leases are renewed),
/// and the outcomes waiting to be recorded.
/// </summary>
internal sealed class RemoteRun(int capacity) : IDisposable
{
    public int Capacity { get; } = capacity;

    /// <summary>How many free slots make a claim worth its round trips.</summary>
    public int Refill { get; } = Math.Max(1, capacity / 4);

    public SemaphoreSlim Slots { get; } = new(capacity, capacity);

    /// <summary>By job and attempt: a late outcome of an earlier attempt must not drop the running one (whose lease is renewed).</summary>
    public ConcurrentDictionary<(long JobId, int Attempt), ClaimedJob> InFlight { get; } = new();

    /// <summary>
    /// Bounded: an upgrade holds its slot until its outcome is queued, so outcomes cannot pile up
    /// unrecorded faster than the database takes them; a crash then repeats at most about two slots' worth of calls.
    /// </summary>
    public Channel<JobOutcome> Outcomes { get; } = Channel.CreateBounded<JobOutcome>(new BoundedChannelOptions(capacity) { SingleReader = true });

    public CancellationTokenSource CancelUpgrades { get; } = new();

    public void Dispose()
    {
        CancelUpgrades.Dispose();
        Slots.Dispose();
    }
}
