namespace PushApi.Core.Push.Engine;

/// <summary>
/// Whether someone is waiting on this instance: interactive requests (API, SOAP, console) in flight, or one that ended
/// less than <see cref="PushEngineOptions.InteractiveQuietPeriod"/> ago. While so, the engine runs only
/// <see cref="PushEngineOptions.WorkersWhileInteractive"/> of its claim loops, so a push leaves a core to the people
/// waiting; with nobody waiting it runs at full speed. The server's pipeline reports the requests.
/// </summary>
public sealed class InteractiveDemand(TimeProvider clock)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);
    private int _inFlight;
    private long _lastSeen = long.MinValue;

    /// <summary>An interactive request started; pair with <see cref="Ended"/>.</summary>
    public void Started()
    {
        Interlocked.Increment(ref _inFlight);
        Volatile.Write(ref _lastSeen, clock.GetTimestamp());
    }

    public void Ended()
    {
        Interlocked.Decrement(ref _inFlight);
        Volatile.Write(ref _lastSeen, clock.GetTimestamp());
    }

    /// <summary>A request is in flight, or one ended within <paramref name="quiet"/>.</summary>
    public bool Busy(TimeSpan quiet)
    {
        var last = Volatile.Read(ref _lastSeen);
        return Volatile.Read(ref _inFlight) > 0 || (last != long.MinValue && clock.GetElapsedTime(last) < quiet);
    }

    /// <summary>Returns once nobody has waited for <paramref name="quiet"/> (or on shutdown).</summary>
    public async Task WaitForQuietAsync(TimeSpan quiet, CancellationToken stopping)
    {
        while (Busy(quiet) && !stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Poll, clock, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
