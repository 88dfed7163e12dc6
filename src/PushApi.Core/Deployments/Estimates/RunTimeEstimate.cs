using System.Globalization;

namespace PushApi.Core.Deployments.Estimates;

/// <summary>
/// When a push is expected to end, at what rate, and on what basis: <c>live</c> (this push's own
/// completion rate), <c>history:&lt;kind&gt;/&lt;size class&gt; (n pushes)</c>, <c>finished</c>, or
/// <c>none</c> (nothing to go on; the other fields are null).
/// </summary>
public sealed record RunTimeEstimate(DateTimeOffset? ExpectedEnd, double? JobsPerSecond, string Basis)
{
    public const string LiveBasis = "live";
    public const string FinishedBasis = "finished";
    public const string NoBasis = "none";

    public static RunTimeEstimate None { get; } = new(null, null, NoBasis);
}

/// <summary>Which upgrader a push's jobs go through: remote pushes run at the agents' pace, in-platform ones at the database's.</summary>
public enum UpgraderKind
{
    InPlatform,
    Remote,
}

/// <summary>The rate of recent finished pushes of one kind and size class: jobs over seconds, summed.</summary>
public sealed record PushHistory(UpgraderKind Kind, string SizeClass, int Pushes, long Jobs, double Seconds);

/// <summary>The arithmetic of estimates, apart from where the numbers come from.</summary>
public static class EstimateMath
{
    /// <summary>Size classes by job count; the rate of a push depends on its size (start-up cost, batching).</summary>
    public static string SizeClass(long jobs) => jobs switch
    {
        < 1_000 => "<1k",
        < 10_000 => "<10k",
        < 100_000 => "<100k",
        _ => ">=100k",
    };

    /// <summary>The bounds [low, high) of a size class's job counts.</summary>
    public static (long Low, long High) SizeClassBounds(long jobs) => jobs switch
    {
        < 1_000 => (0, 1_000),
        < 10_000 => (1_000, 10_000),
        < 100_000 => (10_000, 100_000),
        _ => (100_000, long.MaxValue),
    };

    public static string KindName(UpgraderKind kind) => kind == UpgraderKind.Remote ? "remote" : "in-platform";

    /// <summary>A running push: its own rate so far (jobs done since it started over the time since), the remaining jobs at that rate. Null before a job is done.</summary>
    public static RunTimeEstimate? Live(DateTimeOffset startTime, DateTimeOffset now, long done, long remaining)
    {
        var elapsed = (now - startTime).TotalSeconds;
        if (done <= 0 || elapsed <= 0)
        {
            return null;
        }

        var rate = done / elapsed;
        return new RunTimeEstimate(now + TimeSpan.FromSeconds(Math.Max(0, remaining) / rate), Round(rate), RunTimeEstimate.LiveBasis);
    }

    /// <summary>
    /// A push not started (or not yet past its first job) at the rate of earlier pushes like it: it
    /// starts at <paramref name="begin"/> (or now, if that has passed) and runs its remaining jobs. None without history.
    /// </summary>
    public static RunTimeEstimate FromHistory(PushHistory? history, DateTimeOffset begin, DateTimeOffset now, long remaining)
    {
        if (history is null || history.Pushes == 0 || history.Jobs <= 0 || history.Seconds <= 0)
        {
            return RunTimeEstimate.None;
        }

        var rate = history.Jobs / history.Seconds;
        var start = begin > now ? begin : now;
        var basis = string.Create(CultureInfo.InvariantCulture, $"history:{KindName(history.Kind)}/{history.SizeClass} ({history.Pushes} {(history.Pushes == 1 ? "push" : "pushes")})");
        return new RunTimeEstimate(start + TimeSpan.FromSeconds(Math.Max(0, remaining) / rate), Round(rate), basis);
    }

    /// <summary>A finished push: it ended when it ended, at the rate it ran (none when it never ran).</summary>
    public static RunTimeEstimate Finished(DateTimeOffset? startTime, DateTimeOffset? endTime, long processed)
    {
        double? rate = startTime is { } start && endTime is { } end && end > start && processed > 0 ? Round(processed / (end - start).TotalSeconds) : null;
        return new RunTimeEstimate(endTime, rate, RunTimeEstimate.FinishedBasis);
    }

    private static double Round(double rate) => Math.Round(rate, 3);
}
