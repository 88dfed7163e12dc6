namespace PushApi.Benchmarks;

/// <summary>Sizes of a run: full (docs/performance.md), quick (under 5 minutes) or smoke (seconds, for the test suite).</summary>
public sealed record BenchOptions(string Mode, int Jobs, int Repeats, TimeSpan LoadDuration, HashSet<string>? Only, string Output)
{
    public bool Smoke => Mode == "smoke";

    /// <summary><c>--profile</c>: PostgreSQL loads pg_stat_statements and P1 reports where a push's time goes (<see cref="Profile"/>).</summary>
    public bool Profile { get; init; }

    /// <summary>Where the push timeline's PNG goes: <c>--plot</c>, else bench-push-timeline.png next to the JSON.</summary>
    public string PlotPath { get; init; } = "bench-push-timeline.png";

    /// <summary><c>--scale 1m</c> (or <c>100k</c>, or a number): P18's tenants, measured at a tenth and at all of them; null without it (P18 does not run).</summary>
    public int? Scale { get; init; }

    public static BenchOptions Parse(string[] args)
    {
        var mode = args.Contains("--smoke") ? "smoke" : args.Contains("--quick") ? "quick" : "full";
        var only = Value(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToUpperInvariant()).ToHashSet();
        var output = Value(args, "--out") ?? "bench-results.json";
        var options = mode switch
        {
            "smoke" => new BenchOptions(mode, 600, 1, TimeSpan.FromSeconds(1), only, output),
            "quick" => new BenchOptions(mode, 20_000, 3, TimeSpan.FromSeconds(3), only, output),
            _ => new BenchOptions(mode, 100_000, 3, TimeSpan.FromSeconds(8), only, output),
        };
        return options with { Profile = args.Contains("--profile"), PlotPath = PlotPathOf(args, output), Scale = ScaleOf(Value(args, "--scale")) };
    }

    /// <summary>"1m" is 1,000,000, "100k" 100,000, a plain number itself; at least 1,000 (the small point is a tenth).</summary>
    public static int? ScaleOf(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var lower = text.Trim().ToLowerInvariant();
        var (digits, factor) = lower.EndsWith('m') ? (lower[..^1], 1_000_000) : lower.EndsWith('k') ? (lower[..^1], 1_000) : (lower, 1);
        return int.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 && (long)n * factor is >= 1_000 and <= 10_000_000
            ? n * factor
            : throw new ArgumentException($"--scale {text}: give a number of tenants from 1k to 10m, e.g. 1m or 100k");
    }

    /// <summary><c>--plot</c>'s path, else bench-push-timeline.png in the directory of <paramref name="json"/>.</summary>
    public static string PlotPathOf(string[] args, string json) =>
        Value(args, "--plot") ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(json))!, "bench-push-timeline.png");

    public bool Runs(string id) => Only is null || Only.Contains(id.ToUpperInvariant());

    private static string? Value(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
