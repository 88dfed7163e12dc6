namespace PushApi.Benchmarks;

/// <summary>Medians and percentiles as the results report them (nearest rank; 0 for no values).</summary>
public static class Statistics
{
    public static double Median(IEnumerable<double> values) => Percentile(values.ToList(), 50);

    public static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }
}
