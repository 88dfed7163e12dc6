using System.Globalization;
using System.Text.Json;

namespace PushApi.Benchmarks;

/// <summary>The results as one table on stdout and as bench-results.json (docs/performance.md's format).</summary>
public static class Report
{
    /// <summary>The series' JSON names (camelCase), also read back by <c>--plot-from</c>.</summary>
    public static readonly JsonSerializerOptions SeriesJson = new(JsonSerializerDefaults.Web);

    private static readonly JsonSerializerOptions Indented = new(SeriesJson) { WriteIndented = true };

    public static void Print(BenchRun run, BenchOptions options)
    {
        var results = run.Results;
        Console.WriteLine();
        Console.WriteLine($"PushApi benchmarks — {options.Mode} run, {options.Jobs:N0} jobs, median of {options.Repeats}, {TimeProvider.System.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores");
        Console.WriteLine($"{"id",-4} {"what",-48} {"metric",-12} {"value",12} {"baseline",12} {"ratio",8}  {"pass",-5} target / note");
        foreach (var r in results)
        {
            if (r.Error is not null)
            {
                Console.WriteLine($"{r.Id,-4} ERROR: {r.Error}");
                continue;
            }

            Console.WriteLine($"{r.Id,-4} {r.What,-48} {r.Metric,-12} {Format(r.Value),12} {Format(r.Baseline),12} {Format(r.Ratio),8}  {(options.Smoke || r.Pass is null ? "-" : r.Pass == true ? "yes" : "NO"),-5} {r.Target}{(r.Note.Length > 0 ? "; " + r.Note : "")}");
        }

        foreach (var d in run.Documented)
        {
            Console.WriteLine($"{d.Id,-4} {d.What,-48} {"text",-12} {d.Text} ({d.Source})");
        }
    }

    public static async Task WriteJsonAsync(BenchRun run, BenchOptions options)
    {
        var results = run.Results;
        var document = new
        {
            machine = new
            {
                cores = Environment.ProcessorCount,
                memoryGb = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, 1),
                os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                dotnet = Environment.Version.ToString(),
                mode = options.Mode,
                jobs = options.Jobs,
                repeats = options.Repeats,
                date = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            },
            results = results.Select(r => new
            {
                id = r.Id,
                what = r.What,
                metric = r.Metric,
                value = Math.Round(r.Value, 2),
                baseline = r.Baseline is { } b ? Math.Round(b, 2) : (double?)null,
                ratio = r.Ratio is { } x ? Math.Round(x, 3) : (double?)null,
                target = r.Target,
                pass = options.Smoke ? null : r.Pass,
                note = r.Note,
                error = r.Error,
            }),
            // Added fields (the ones above keep their shape): rows that are documented text, and the pushes' timelines.
            documented = run.Documented.Select(d => new { id = d.Id, what = d.What, text = d.Text, source = d.Source }),
            series = run.Series,
        };
        await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(document, Indented));
        Console.WriteLine($"\nWrote {Path.GetFullPath(options.Output)}");
    }

    /// <summary>Writes the push timeline's PNG when a push was recorded (P1 or P8 ran).</summary>
    public static async Task<bool> PlotAsync(IReadOnlyList<PushSeries> series, string subtitle, string path)
    {
        if (!await Plotting.TimelinePlot.WriteAsync(series, subtitle, path))
        {
            return false;
        }

        Console.WriteLine($"Wrote {Path.GetFullPath(path)}");
        return true;
    }

    /// <summary><c>--plot-from</c>: the plot again from a run's JSON (its "series" and "machine").</summary>
    public static async Task<bool> PlotFromJsonAsync(string json, string path)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var root = document.RootElement;
        if (!root.TryGetProperty("series", out var series))
        {
            Console.Error.WriteLine($"{json} has no \"series\" (written before the timeline was recorded)");
            return false;
        }

        var machine = root.GetProperty("machine");
        var date = DateTimeOffset.Parse(machine.GetProperty("date").GetString()!, CultureInfo.InvariantCulture);
        return await PlotAsync(series.Deserialize<List<PushSeries>>(SeriesJson)!, Subtitle(machine.GetProperty("mode").GetString()!, date, machine.GetProperty("cores").GetInt32()), path);
    }

    public static string Subtitle(string mode, DateTimeOffset date, int cores) =>
        $"PushApi benchmarks, {mode} run, {date.UtcDateTime:yyyy-MM-dd HH:mm} UTC, {cores} cores";

    private static string Format(double? value) => value switch
    {
        null => "",
        >= 100 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
