using System.Globalization;
using System.Text.Json;

namespace PushApi.Benchmarks;

/// <summary>The results as one table on stdout and as bench-results.json (docs/performance.md's format).</summary>
public static class Report
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Print(List<Result> results, BenchOptions options)
    {
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
    }

    public static async Task WriteJsonAsync(List<Result> results, BenchOptions options)
    {
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
        };
        await File.WriteAllTextAsync(options.Output, JsonSerializer.Serialize(document, Indented));
        Console.WriteLine($"\nWrote {Path.GetFullPath(options.Output)}");
    }

    private static string Format(double? value) => value switch
    {
        null => "",
        >= 100 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
