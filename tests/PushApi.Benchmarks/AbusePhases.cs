using System.Globalization;

namespace PushApi.Benchmarks;

/// <summary>
/// P17's interleaving: from <see cref="Start"/> (wall clock, shared by the harness and the abuser's process on the same
/// machine) the abuser sends during even phases of <see cref="Length"/> and is quiet during odd ones, while user B is
/// measured throughout. B's calls are sorted by the phase they started in, so "with A" and "without A" come from the same
/// half-minute, alternating every second, and the machine's slower drifts fall on both alike.
/// </summary>
public sealed record AbusePhases(DateTimeOffset Start, TimeSpan Length)
{
    /// <summary>The calls that start this soon after a switch belong to neither side: the abuser's last calls may still be in flight.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromMilliseconds(150);

    public static AbusePhases StartingIn(TimeSpan delay, TimeSpan length) => new(TimeProvider.System.GetUtcNow() + delay, length);

    public static AbusePhases Parse(string argument)
    {
        var parts = argument.Split(':');
        return new AbusePhases(DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[0], CultureInfo.InvariantCulture)),
            TimeSpan.FromMilliseconds(long.Parse(parts[1], CultureInfo.InvariantCulture)));
    }

    public string ToArgument() => string.Create(CultureInfo.InvariantCulture, $"{Start.ToUnixTimeMilliseconds()}:{(long)Length.TotalMilliseconds}");

    /// <summary>Whether the abuser sends at this moment.</summary>
    public bool IsOn(DateTimeOffset at) => Phase(at) % 2 == 0;

    /// <summary>Whether a call starting now is too close to a switch to be counted on either side.</summary>
    public bool IsSettling(DateTimeOffset at) => at < Start || ((at - Start).Ticks % Length.Ticks) < Settling.Ticks;

    public async Task WaitForStartAsync()
    {
        var wait = Start - TimeProvider.System.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private long Phase(DateTimeOffset at) => (at - Start).Ticks / Length.Ticks;
}
