namespace PushApi.Core;

/// <summary>Time as PushApi stores and shows it.</summary>
public static class Clock
{
    /// <summary>Now, to the millisecond: the precision Salesforce timestamps carry, so what a write returns equals what a later read shows.</summary>
    public static DateTimeOffset Now(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
