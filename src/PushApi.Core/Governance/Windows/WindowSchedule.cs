namespace PushApi.Core.Governance.Windows;

/// <summary>Where an instant stands with a window: open until <see cref="Until"/> (it closes then), or closed until <see cref="Until"/> (it opens then).</summary>
public readonly record struct WindowState(bool Open, DateTimeOffset Until);

/// <summary>
/// Maintenance windows in instants: pure functions of a window and an instant, no clock of their own.
/// Each day the window names has one occurrence from its local start to its local end (the next day's
/// end when it crosses midnight). Clock changes:
/// <list type="bullet">
/// <item>A local time that happens twice (the repeated hour when clocks go back): a start means its first
/// occurrence and an end its second, so the window covers every instant whose wall clock is inside it and
/// never closes early.</item>
/// <item>A start in the gap when clocks go forward (02:30 on a night that jumps from 02:00 to 03:00) opens
/// the window at the jump itself (03:00): the first moment the wall clock has passed the start. An end in
/// the gap is moved forward by the length of the gap (02:30 becomes 03:30), so a window wholly inside the
/// gap still opens that night, for its usual length, right after the jump.</item>
/// </list>
/// </summary>
public static class WindowSchedule
{
    /// <summary>Whether the window is open at <paramref name="at"/>, and until when; or when it opens next.</summary>
    public static WindowState At(MaintenanceWindow window, DateTimeOffset at)
    {
        var zone = window.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        var occurrences = Occurrences(window, zone, today.AddDays(-2), today.AddDays(9)).ToList();
        for (var i = 0; i < occurrences.Count; i++)
        {
            var (open, close) = occurrences[i];
            if (at >= open && at < close)
            {
                // Occurrences that touch or overlap (a clock change can make them) are one opening.
                while (i + 1 < occurrences.Count && occurrences[i + 1].Open <= close)
                {
                    close = Max(close, occurrences[++i].Close);
                }

                return new WindowState(true, close);
            }

            if (open > at)
            {
                return new WindowState(false, open);
            }
        }

        // Unreachable for a valid window (it opens at least once a week); look again in a day rather than never.
        return new WindowState(false, at.AddDays(1));
    }

    /// <summary>The window's openings that start on the local days <paramref name="from"/> to <paramref name="to"/>, in order; empty ones are skipped.</summary>
    public static IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> Occurrences(MaintenanceWindow window, TimeZoneInfo zone, DateOnly from, DateOnly to)
    {
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            if (!window.Days.Contains(day.DayOfWeek))
            {
                continue;
            }

            var open = StartInstant(zone, day.ToDateTime(window.Start));
            var close = EndInstant(zone, (window.CrossesMidnight ? day.AddDays(1) : day).ToDateTime(window.End));
            if (close > open)
            {
                yield return (open, close);
            }
        }
    }

    /// <summary>The instant a window starting at local <paramref name="local"/> opens: the first of a repeated time, the jump for a time in a gap.</summary>
    public static DateTimeOffset StartInstant(TimeZoneInfo zone, DateTime local)
    {
        var (before, after) = Offsets(zone, local);
        if (IsValid(zone, local, after))
        {
            // The larger offset is the earlier instant: the first time the wall clock shows this time.
            return Instant(local, IsValid(zone, local, before) ? Max(before, after) : after);
        }

        if (IsValid(zone, local, before))
        {
            return Instant(local, before);
        }

        return Jump(zone, Instant(local, after), Instant(local, before));
    }

    /// <summary>The instant a window ending at local <paramref name="local"/> closes: the second of a repeated time, a time in a gap moved forward by the gap.</summary>
    public static DateTimeOffset EndInstant(TimeZoneInfo zone, DateTime local)
    {
        var (before, after) = Offsets(zone, local);
        var candidates = new[] { before, after }.Where(o => IsValid(zone, local, o)).ToList();
        if (candidates.Count > 0)
        {
            // The smaller offset is the later instant: the second time the wall clock shows this time.
            return Instant(local, candidates.Min());
        }

        // In a gap: read with the offset before the change, the time lands as far past the jump as it was past the gap's start.
        return Instant(local, Min(before, after));
    }

    /// <summary>The zone's offsets a day before and a day after a local time (equal unless the clocks change near it).</summary>
    private static (TimeSpan Before, TimeSpan After) Offsets(TimeZoneInfo zone, DateTime local)
    {
        var utc = DateTime.SpecifyKind(local, DateTimeKind.Utc);
        return (zone.GetUtcOffset(new DateTimeOffset(utc.AddDays(-1))), zone.GetUtcOffset(new DateTimeOffset(utc.AddDays(1))));
    }

    /// <summary>Whether the local time read with <paramref name="offset"/> is an instant at which the zone has that offset.</summary>
    private static bool IsValid(TimeZoneInfo zone, DateTime local, TimeSpan offset) => zone.GetUtcOffset(Instant(local, offset)) == offset;

    private static DateTimeOffset Instant(DateTime local, TimeSpan offset) =>
        new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset).ToUniversalTime();

    /// <summary>The instant the offset changes between <paramref name="low"/> (old offset) and <paramref name="high"/> (new offset), to the second.</summary>
    private static DateTimeOffset Jump(TimeZoneInfo zone, DateTimeOffset low, DateTimeOffset high)
    {
        var old = zone.GetUtcOffset(low);
        while (high - low > TimeSpan.FromSeconds(1))
        {
            var middle = low + ((high - low) / 2);
            if (zone.GetUtcOffset(middle) == old)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return new DateTimeOffset(high.UtcTicks - (high.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    private static T Max<T>(T a, T b)
        where T : IComparable<T> => a.CompareTo(b) >= 0 ? a : b;

    private static T Min<T>(T a, T b)
        where T : IComparable<T> => a.CompareTo(b) <= 0 ? a : b;
}
